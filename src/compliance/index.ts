export { SYSTEM, audit, auditMany, recordPersonView, type Actor } from './audit.service.js';
export { appendRecords, ChainHeads, stageRecords } from './chain/chain.repository.js';
export { ingestDrafts } from './chain/ingest-records.service.js';
export { sessionItemDrafts } from './chain/session-items.service.js';
export { complianceAdminRoutes } from './compliance-admin.routes.js';
export { startComplianceJobs } from './jobs.service.js';
export { ContentPolicies, contentPolicyFor, updateContentPolicy } from './policy.service.js';
export { complianceLogsRoutes } from './reads/compliance-logs.routes.js';
export { auditExport, exportChunks } from './reads/export.service.js';
export { mergedExportChunks } from './reads/export-merged.service.js';
export {
  holdViews,
  placeHold,
  releaseHold,
  retentionDaysOf,
  runRetention,
  type HoldView,
} from './retention/retention.service.js';
export { sinkStatus } from './sinks/sinks-status.service.js';
export { archiveStatus, type ArchiveStatus } from './status.service.js';
export {
  checkpointNow,
  configuredSigningKey,
  generateSigningKey,
  trustedPublicKeys,
} from './verify/checkpoint.service.js';
export { verifyChain, type CheckpointKey } from './verify/verify.service.js';
export { verifyExportStream } from './verify/export-verify.service.js';
export { REINDEX_COMMAND, reindexLogs } from './reads/log-index.service.js';
