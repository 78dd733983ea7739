// Where the WAL checkpoint worker's module is, for the thread that starts it (ingest-writer.thread.ts).
import { siblingModule } from '../workers/module-worker.js';

export const walCheckpointWorkerModule = (): URL => siblingModule('wal-checkpoint.worker', import.meta.url);
