export { importRollouts, type ImportProgress, type ImportSummary } from './import.service.js';
export { localOwner, type LocalOwner } from './local-user.service.js';
export { buildReport } from './report.service.js';
export { rolloutsReceiver } from './rollouts.receiver.js';
