import type { Config } from '../../config/schema.js';
import type { AuthFailureLog } from '../../access/auth-log.service.js';
import type { Store } from '../storage/database.js';
import type { Metrics } from './metrics.js';

// What every route plugin receives: the store, the validated config, and shared runtime state.
export interface AppContext {
  store: Store;
  config: Config;
  state: { shuttingDown: boolean; inflightBatches: number; longReads: number };
  metrics: Metrics;
  authFailures: AuthFailureLog; // folds refused requests into AUTH_LOG records, one per app
}
