import { sql, type Kysely } from 'kysely';
import { removalDraft } from '../core/compliance-removals.js';
import { DAY_MS } from '../core/time.js';
import type { Db } from '../platform/storage/database.js';
import { appendRecords } from '../compliance/index.js';

// Removals explained by the chain, and checkpoints forwarded to the sinks.
// Removals explained by the chain (core/compliance-removals.ts): compliance_removals says where the
// "retention.removed" records are, so verify reads them without scanning the AUDIT_LOG content (it
// checks each against the chain; a row deleted here only makes verify report the content it
// explained). Content removed by retention runs before this migration was explained by
// compliance_purges alone: each workspace gets one removal record per event type for the records
// missing their content then, under the newest cutoff of those runs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('compliance_removals')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_removals_pk', ['workspace_id', 'seq'])
    .execute();
  // Per sink and workspace, the seq of the last signed checkpoint forwarded (each as its own event).
  await db.schema
    .alterTable('compliance_sink_cursors')
    .addColumn('checkpoint_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  const purges = await sql<{ workspace_id: string; event_type: string; cutoff_ts: number; ran_at: number }>`
    select workspace_id, event_type, cutoff_ts, ran_at from compliance_purges
    order by workspace_id, event_type, cutoff_ts desc`.execute(db);
  const newest = new Map<string, { workspace_id: string; event_type: string; cutoff: number; ranAt: number }>();
  for (const p of purges.rows) {
    const k = `${p.workspace_id}\u0000${p.event_type}`;
    if (!newest.has(k))
      newest.set(k, {
        workspace_id: p.workspace_id,
        event_type: p.event_type,
        cutoff: Number(p.cutoff_ts),
        ranAt: Number(p.ran_at),
      });
  }
  const chain = db as unknown as Db;
  for (const p of newest.values()) {
    const missing = await sql<{ seq: number }>`
      select r.seq from compliance_records r
      where r.workspace_id = ${p.workspace_id} and r.event_type = ${p.event_type} and r.ts < ${p.cutoff}
        and not exists (select 1 from compliance_content c where c.workspace_id = r.workspace_id and c.seq = r.seq)
      order by r.seq`.execute(db);
    if (!missing.rows.length) continue;
    const draft = removalDraft({
      ts: Date.now(),
      actor: { type: 'system', id: 'migration 0010' },
      workspaceId: p.workspace_id,
      runId: 'before-0010',
      eventType: p.event_type,
      retentionDays: Math.max(1, Math.floor((p.ranAt - p.cutoff) / DAY_MS)),
      cutoff: p.cutoff,
      seqs: missing.rows.map((r) => Number(r.seq)),
    });
    const append = async (trx: Db) => {
      const [rec] = await appendRecords(trx, p.workspace_id, [draft]);
      await trx
        .insertInto('compliance_removals')
        .values({ workspace_id: p.workspace_id, seq: rec.seq, event_type: p.event_type })
        .execute();
    };
    // PostgreSQL runs migrations in a transaction; SQLite (no transactional DDL in Kysely) does not.
    if (chain.isTransaction) await append(chain);
    else await chain.transaction().execute(append);
  }
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
