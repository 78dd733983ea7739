// What every command shares: store options, config loading, and output in text or --json (those
// that need no schema or store are in shared-basics.ts, re-exported here).
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../platform/storage/database.js';
import { configOptions, type StoreFlags } from './shared-basics.js';

export {
  cliActor,
  otelBlock,
  print,
  storeFlags,
  withStoreOptions,
  type StoreFlags,
} from './shared-basics.js';

export function configFrom(
  flags: StoreFlags,
  extra: Record<string, unknown> = {},
  defaults: Record<string, unknown> = {},
): Config {
  return loadConfig(configOptions(flags, extra, defaults));
}

export async function openConfiguredStore(config: Config): Promise<Store> {
  // Loaded here, not at the top: the drivers, Kysely and the migrations are most of the CLI's start,
  // and `steward report` (the usage-only pass) never opens a store.
  const [{ openStore }, { migrateToLatest }] = await Promise.all([
    import('../platform/storage/database.js'),
    import('../migrations/migrate.js'),
  ]);
  const store = openStore({
    databaseUrl: config.database_url,
    databaseReadUrl: config.database_read_url,
    readConnectTimeoutMs: config.database_read_connect_timeout_seconds * 1000,
    readRetryMs: config.database_read_retry_seconds * 1000,
    dataDir: config.data,
    sqliteSynchronous: config.sqlite_synchronous,
  });
  try {
    await migrateToLatest(store.db);
  } catch (e) {
    // Close the pool, or its idle connections keep a failed command alive for seconds.
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

export async function withStore<T>(
  flags: StoreFlags,
  fn: (store: Store, config: Config) => Promise<T>,
  defaults: Record<string, unknown> = {},
): Promise<T> {
  const config = configFrom(flags, {}, defaults);
  const store = await openConfiguredStore(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
