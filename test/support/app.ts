// An in-process server on a real store, for *.http.test.ts: Fastify inject(), no sockets.
import type { FastifyInstance } from 'fastify';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { DialectName } from '../../src/platform/storage/database.js';
import { buildApp, type AppServices, type BuildOptions } from '../../src/app/app.js';

import { cliActor } from '../../src/cli/shared.js';
import { createKey } from '../../src/access/keys.service.js';
import { addUser } from '../../src/access/users.service.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { makeStore, type TestStore } from './stores.js';

export interface TestApp {
  app: FastifyInstance;
  routes: { method: string; url: string }[];
  ctx: AppServices;
  store: TestStore;
  config: Config;
  workspaceId: string;
  ownerKey: string;
  key(
    scopes: string[],
    userEmail?: string,
    extra?: { sharedCollector?: boolean; expiresAt?: number; service?: boolean },
  ): Promise<string>;
  user(email: string, role?: string): Promise<string>;
  close(): Promise<void>;
}

export async function makeApp(
  dialect: DialectName,
  overrides: Record<string, unknown> = {},
  build: Pick<BuildOptions, 'authFold' | 'oidcGroups' | 'webRoot'> = {},
): Promise<TestApp> {
  const store = await makeStore(dialect);
  const config = configSchema.parse({ ...overrides });
  const boot = await ensureBootstrapped(store.db);
  const { app, ctx, routes } = await buildApp({ store, config, ...build });
  await app.ready();
  const workspaceId = boot.workspace.id;
  return {
    app,
    routes,
    ctx,
    store,
    config,
    workspaceId,
    ownerKey: boot.ownerKey!.secret,
    async user(email, role) {
      return (await addUser(store.db, { workspaceId, email, role }, cliActor())).id;
    },
    async key(scopes, userEmail, extra = {}) {
      return (await createKey(store.db, { workspaceId, scopes, userEmail, ...extra }, cliActor())).secret;
    },
    async close() {
      await app.close();
      await store.cleanup();
    },
  };
}
