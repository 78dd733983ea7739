export { startCollector } from './collect.service.js';
export {
  RetryableUploadError,
  defaultStatePath,
  loadState,
  pushOnce,
  readInstallationId,
  type PushOptions,
} from './push.service.js';
