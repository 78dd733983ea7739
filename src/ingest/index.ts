export { ingestEvents, writePrepared } from './ingest.service.js';
export { otlpLogsReceiver } from './otlp/otlp-logs.receiver.js';
export type { Principal, Redacted } from './pipeline/steps.js';
export { runPipeline } from './pipeline/run.js';
export { startIngestWriterThread } from './writer/ingest-writer.thread.js';
export { type IngestContext, type IngestDeps } from './ingest.runtime.js';
export { IngestWriter } from './writer/ingest-writer.js';
export { buildWindows, startWindowJob, WINDOW_JOB } from './windows.service.js';
export { windowAnchor } from './windows.repository.js';
export {
  prepareFreshEvents,
  storePreparedFresh,
  withFactIndexesDeferred,
  type PreparedFresh,
} from './fresh-ingest.service.js';
export { freshnessPart } from './freshness.repository.js';
