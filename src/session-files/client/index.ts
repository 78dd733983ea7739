export { startCollector } from './collect.service.js';
export {
  RetryableUploadError,
  defaultStatePath,
  loadState,
  pushOnce,
  readInstallationId,
  type PushOptions,
} from './push.service.js';
export {
  KEY_FIELD,
  reportFromSlots,
  reportJson,
  type ModelFigures,
  type Report,
  type ReportKind,
  type TokenFigures,
} from './usage-report.js';
export { usagePass } from './usage-pass.service.js';
export { defaultLocalEmail } from './local-email.js';
