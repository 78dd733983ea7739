import { sql, type Kysely, type RawBuilder } from 'kysely';
import { sessionItem } from '../core/session-items.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { appendRecords, sessionItemDrafts } from '../compliance/index.js';

// Session-file content into the archive (decisions/0023): every rollout_content row becomes a
// CODEX_LOG `session_item` record, appended after whatever the workspace's chain already holds, in
// the rows' time order (as listContent served them), with its once-key claimed so that a later
// re-read of the same file appends nothing; then the table goes: the body is kept once, in the
// chain. Batched by keyset, one transaction per batch on SQLite (PostgreSQL runs the migration in
// one). A row whose key is claimed already (a re-run after a crash between batches) is skipped.
const BATCH = 1000;

interface Row {
  workspace_id: string;
  thread_id: string;
  line_key: string;
  attributed_thread_id: string;
  user_id: string;
  turn_id: string | null;
  ts: number | string;
  kind: string;
  line_no: number | string;
  byte_offset: number | string;
  ordinal: number | string | null;
  origin: string;
  body: string;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const chain = db as unknown as Db;
  const wss = await sql<{ workspace_id: string }>`
    select distinct workspace_id from rollout_content order by workspace_id`.execute(db);
  for (const { workspace_id: ws } of wss.rows) {
    let after: [number, string, number, string] | null = null;
    for (;;) {
      const cursor: RawBuilder<unknown> = after
        ? sql`and (ts, thread_id, byte_offset, line_key) > (${after[0]}, ${after[1]}, ${after[2]}, ${after[3]})`
        : sql``;
      const { rows }: { rows: Row[] } = await sql<Row>`
        select * from rollout_content where workspace_id = ${ws} ${cursor}
        order by ts, thread_id, byte_offset, line_key limit ${BATCH}`.execute(db);
      if (!rows.length) break;
      const last = rows[rows.length - 1]!;
      after = [Number(last.ts), last.thread_id, Number(last.byte_offset), last.line_key];
      const items = rows.map((r) =>
        sessionItem({
          workspaceId: ws,
          threadId: r.thread_id,
          attributedThreadId: r.attributed_thread_id,
          lineKey: r.line_key,
          userId: r.user_id,
          turnId: r.turn_id,
          ts: Number(r.ts),
          kind: r.kind,
          lineNo: Number(r.line_no),
          byteOffset: Number(r.byte_offset),
          ordinal: r.ordinal === null ? null : Number(r.ordinal),
          origin: r.origin,
          body: JSON.parse(r.body) as Record<string, unknown>,
          // The policy was applied when the row was written; how is not known any more.
          textInfo: {},
        }),
      );
      const append = async (trx: DbOrTrx) => {
        await appendRecords(trx, ws, await sessionItemDrafts(trx, ws, items));
      };
      if (chain.isTransaction) await append(chain);
      else await chain.transaction().execute(append);
      if (rows.length < BATCH) break;
    }
  }
  await db.schema.dropTable('rollout_content').execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
