export { importRollouts, type ImportProgress, type ImportSummary } from './import.service.js';
export { defaultLocalEmail, localOwner, type LocalOwner } from './local-user.service.js';
export {
  KEY_FIELD,
  buildReport,
  reportFromSlots,
  reportJson,
  type ModelFigures,
  type Report,
  type ReportKind,
  type TokenFigures,
} from './report.service.js';
export { rolloutsReceiver } from './rollouts.receiver.js';
export { usagePass } from './usage-pass.service.js';
