import type { Kysely } from 'kysely';

// Single sign-on in progress (decisions/0030): between /auth/oidc/start and the callback, the state,
// nonce and PKCE verifier stay on the server, found by the SHA-256 of the browser's flow cookie, so
// every node can finish a flow another began and a copy of the table starts none.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oidc_flows')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_flows_expires').on('oidc_flows').column('expires_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
