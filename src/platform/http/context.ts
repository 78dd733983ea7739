import type { Config } from '../../config/schema.js';
import type { Store } from '../storage/database.js';
import type { Authenticator, RefusalLog, SessionAuthenticator, TeamScope } from './auth.js';
import type { Metrics } from './metrics.js';

// What every route plugin receives: the store, the validated config, and shared runtime state.
export interface AppContext {
  store: Store;
  config: Config;
  state: { shuttingDown: boolean; inflightBatches: number; longReads: number };
  metrics: Metrics;
  auth: Authenticator; // bearer keys (the access capability's)
  authFailures: RefusalLog; // folds refused requests into AUTH_LOG records, one per app
  sessions: SessionAuthenticator; // browser session cookies (the accounts capability's)
  teams?: TeamScope; // who a team lead's teams hold, once teams exist
}
