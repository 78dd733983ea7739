// OIDC flows between start and callback (migration 0023), by the hash of the flow cookie.
import type { OidcFlowTable } from './accounts.tables.js';
import type { DbOrTrx } from '../platform/storage/database.js';

export async function insertFlow(db: DbOrTrx, row: OidcFlowTable, now: number): Promise<void> {
  await db.deleteFrom('oidc_flows').where('expires_at', '<=', now).execute(); // abandoned flows
  await db.insertInto('oidc_flows').values(row).execute();
}

/** Deletes and returns the flow: a flow is used once, so a replayed callback finds nothing. */
export async function takeFlow(db: DbOrTrx, idHash: string): Promise<OidcFlowTable | undefined> {
  const row = await db.selectFrom('oidc_flows').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!row) return undefined;
  const gone = await db.deleteFrom('oidc_flows').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(gone.numDeletedRows) === 1 ? row : undefined; // a concurrent callback took it first
}
