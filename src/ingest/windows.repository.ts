// The trailing-window bases (decisions/0042, core/windows.ts): built once per UTC day from the day
// rollups by a job, and kept exact between builds by the ingest, which adds what a batch's late
// events (on a day before the anchor) added to the day rollups, in the same transaction.
//
// A build and a late batch of one workspace never interleave: the build holds the workspace's
// window lock exclusively, a late batch shares it before it reads the anchor. A batch that read the
// old anchor commits before the build reads the rollups (which then include it); one that waited
// reads the new anchor. On SQLite the one writer does the same.
import { sql } from 'kysely';
import { addCounter } from '../core/bounds.js';
import { COUNTERS, type CounterRow, type RollupTable } from '../core/rollups.js';
import { dayOf } from '../core/time.js';
import { CLOCK_SKEW_MS, MASK_DAYS, WINDOW_DAYS, windowAdditions, windowMaskBits } from '../core/windows.js';
import { conflictAddCounters, conflictDoNothing, type InsertSpec } from '../platform/storage/bulk-insert.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { lockKeysShared, refreshStatistics } from '../platform/storage/dialect.js';
import type { UnitOfWork } from '../platform/storage/unit-of-work.js';

const lockKey = (workspaceId: string) => `usage.windows:${workspaceId}`;

const WINDOW_KEYS = {
  usage_user_window: ['workspace_id', 'window_days', 'anchor', 'user_id', 'client_id'],
  usage_user_model_window: ['workspace_id', 'window_days', 'anchor', 'user_id', 'model'],
} as const;
const windowSpec = (table: keyof typeof WINDOW_KEYS): InsertSpec => ({
  table,
  columns: [...WINDOW_KEYS[table], ...COUNTERS],
  onConflict: conflictAddCounters(table, WINDOW_KEYS[table], COUNTERS),
});
const BASE_TABLES = [
  'usage_user_window',
  'usage_user_model_window',
  'user_day_mask',
  'usage_person_window',
  'active_user_surface_window',
] as const;
const SURFACE_KEYS = ['workspace_id', 'window_days', 'anchor', 'surface', 'user_id'];
const MASK_KEYS = ['workspace_id', 'anchor', 'client_id', 'model', 'user_id'];
const PERSON_KEYS = ['workspace_id', 'window_days', 'anchor', 'user_id'];
const SPECS = {
  usage_user_window: windowSpec('usage_user_window'),
  usage_user_model_window: windowSpec('usage_user_model_window'),
  // A day once marked stays marked: OR, so a replayed or repeated day changes nothing.
  user_day_mask: {
    table: 'user_day_mask',
    columns: [...MASK_KEYS, 'days'],
    onConflict:
      `on conflict (${MASK_KEYS.map((k) => `"${k}"`).join(', ')}) ` +
      'do update set "days" = "user_day_mask"."days" | excluded."days"',
  },
  usage_person_window: {
    table: 'usage_person_window',
    columns: [...PERSON_KEYS, ...COUNTERS, 'days'],
    onConflict:
      `${conflictAddCounters('usage_person_window', PERSON_KEYS, COUNTERS)}, ` +
      '"days" = "usage_person_window"."days" | excluded."days"',
  },
  // A set: a person once active on a surface in the window stays so.
  active_user_surface_window: {
    table: 'active_user_surface_window',
    columns: SURFACE_KEYS,
    onConflict: conflictDoNothing(SURFACE_KEYS),
  },
} satisfies Record<string, InsertSpec>;

/**
 * Adds to the built bases what this batch added to the day rollups on days before their anchor
 * (`rollups`: the rows the rollup insert adds; `activeDay`: the new active-user day rows). Only a
 * batch with a row before today (by this node's clock, less the skew allowed between nodes) reads
 * anything; the rest of the ingest pays one comparison per row.
 */
export async function addLateToWindows(
  db: DbOrTrx,
  rollups: readonly { table: RollupTable; rows: CounterRow[] }[],
  activeDay: readonly CounterRow[],
  uow: UnitOfWork,
  now = Date.now(),
): Promise<void> {
  const horizon = dayOf(now + CLOCK_SKEW_MS);
  const late = (rows: readonly CounterRow[] | undefined) => (rows ?? []).filter((r) => Number(r.bucket) < horizon);
  const userDay = late(rollups.find((t) => t.table === 'usage_user_day')?.rows);
  const modelDay = late(rollups.find((t) => t.table === 'usage_user_model_day')?.rows);
  if (!userDay.length && !modelDay.length) return;
  const workspaces = [...new Set([...userDay, ...modelDay].map((r) => String(r.workspace_id)))];
  await lockKeysShared(db, workspaces.map(lockKey));
  const anchors = new Map(
    (
      await db
        .selectFrom('usage_window_state')
        .select(['workspace_id', 'anchor'])
        .where('workspace_id', 'in', workspaces)
        .execute()
    ).map((r) => [r.workspace_id, Number(r.anchor)]),
  );
  if (!anchors.size) return;
  const add = windowAdditions(anchors, userDay, modelDay, late(activeDay), COUNTERS, addCounter);
  for (const table of BASE_TABLES) if (add[table].length) uow.add({ spec: SPECS[table], rows: add[table] });
}

/** The anchor of the workspace's built base, or null before the first build. */
export async function windowAnchor(db: DbOrTrx, workspaceId: string): Promise<number | null> {
  const r = await db
    .selectFrom('usage_window_state')
    .select('anchor')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return r ? Number(r.anchor) : null;
}

export interface BaseBuilt {
  anchor: number;
  rows: number;
  masks: number;
  /** Rows of the per-person base (one per person and window). */
  people: number;
}

/**
 * The workspace's base for `anchor` in one transaction, in place of older ones: per window the
 * day rollups' sums over the window's days before the anchor, per person, client or model; each
 * person's mask of days with a counted turn among the 62 before it (any client, per client, per
 * model, as the day path reads streaks); per window and person, all of it in one row.
 */
export async function buildWindowBase(
  db: Db,
  workspaceId: string,
  anchor: number,
  builtAt: number,
): Promise<BaseBuilt> {
  const ws = workspaceId;
  const built = await db.transaction().execute(async (trx) => {
    await lockKeysShared(trx, [lockKey(ws)], true);
    // A write first: on SQLite the transaction takes the write lock before it reads anything.
    await trx.deleteFrom('usage_window_state').where('workspace_id', '=', ws).execute();
    // The day before's base stays until the next build: a query that read the old anchor just
    // before this commits still finds its rows.
    for (const t of BASE_TABLES)
      await trx
        .deleteFrom(t)
        .where('workspace_id', '=', ws)
        .where('anchor', '<>', anchor - 1)
        .execute();
    let rows = 0;
    const sums = COUNTERS.map((c) => sql`sum(${sql.ref(c)})`);
    const cols = sql.join(COUNTERS.map((c) => sql.ref(c)));
    for (const w of WINDOW_DAYS)
      for (const [table, from, key] of [
        ['usage_user_window', 'usage_user_day', 'client_id'],
        ['usage_user_model_window', 'usage_user_model_day', 'model'],
      ] as const) {
        const r = await sql`insert into ${sql.table(table)}
            (workspace_id, window_days, anchor, user_id, ${sql.ref(key)}, ${cols})
          select workspace_id, ${sql.lit(w)}, ${sql.lit(anchor)}, user_id, ${sql.ref(key)}, ${sql.join(sums)}
          from ${sql.table(from)}
          where workspace_id = ${ws} and bucket >= ${anchor - w + 1} and bucket <= ${anchor - 1}
          group by workspace_id, user_id, ${sql.ref(key)}`.execute(trx);
        rows += Number(r.numAffectedRows ?? 0);
      }
    const bit = sql`cast(1 as bigint) << (${sql.lit(anchor - 1)} - bucket)`;
    const span = sql`workspace_id = ${ws} and bucket >= ${anchor - MASK_DAYS} and bucket <= ${anchor - 1}`;
    let masks = 0;
    for (const q of [
      // Any client: each person's distinct days (the set has a row per client).
      sql`select workspace_id, ${sql.lit(anchor)}, '', '', user_id, cast(sum(${bit}) as bigint)
        from (select distinct workspace_id, user_id, bucket from active_user_day_set where ${span}) d
        group by workspace_id, user_id`,
      sql`select workspace_id, ${sql.lit(anchor)}, client_id, '', user_id, cast(sum(${bit}) as bigint)
        from active_user_day_set where ${span} group by workspace_id, client_id, user_id`,
      sql`select workspace_id, ${sql.lit(anchor)}, '', model, user_id, cast(sum(${bit}) as bigint)
        from usage_user_model_day where ${span} and turns > 0 group by workspace_id, model, user_id`,
    ]) {
      const r =
        await sql`insert into user_day_mask (workspace_id, anchor, client_id, model, user_id, days) ${q}`.execute(trx);
      masks += Number(r.numAffectedRows ?? 0);
    }
    // One row per person and window from the rows just built: every client summed, and the any-
    // client mask cut to the window's days (decisions/0058). A union grouped, not a join: just
    // written, the rows had no statistics, and PostgreSQL probed the masks by anchor alone for
    // each person (496 s at 10,000 people against 9 s for the rest of the build). Only people with
    // rows in the window: a mask of days before it alone makes no row.
    let people = 0;
    const zeros = sql.join(COUNTERS.map(() => sql`0`));
    for (const w of WINDOW_DAYS) {
      const keep = sql.raw(windowMaskBits(w).toString());
      const r = await sql`insert into usage_person_window
          (workspace_id, window_days, anchor, user_id, ${cols}, days)
        select workspace_id, window_days, anchor, user_id, ${sql.join(sums)}, cast(sum(days) as bigint) & ${keep}
        from (
          select workspace_id, window_days, anchor, user_id, ${cols}, cast(0 as bigint) as days, 1 as counted
          from usage_user_window
          where workspace_id = ${ws} and window_days = ${sql.lit(w)} and anchor = ${sql.lit(anchor)}
          union all
          select workspace_id, ${sql.lit(w)}, anchor, user_id, ${zeros}, days, 0
          from user_day_mask
          where workspace_id = ${ws} and anchor = ${sql.lit(anchor)} and client_id = '' and model = ''
        ) x
        group by workspace_id, window_days, anchor, user_id
        having max(counted) = 1`.execute(trx);
      people += Number(r.numAffectedRows ?? 0);
    }
    // The people active on each surface in the window's days before the anchor, from the surface
    // day set (decisions/0069): a person on two clients of one surface is one row.
    for (const w of WINDOW_DAYS)
      await sql`insert into active_user_surface_window (workspace_id, window_days, anchor, surface, user_id)
        select workspace_id, ${sql.lit(w)}, ${sql.lit(anchor)}, surface, user_id
        from active_user_day_surface_set
        where workspace_id = ${ws} and bucket >= ${anchor - w + 1} and bucket <= ${anchor - 1} and surface <> ''
        group by workspace_id, surface, user_id`.execute(trx);
    await trx.insertInto('usage_window_state').values({ workspace_id: ws, anchor, built_at: builtAt }).execute();
    return { anchor, rows, masks, people };
  });
  // Every row of the base is new, under an anchor the old statistics have never seen: planned on
  // them, each read of the base looked like one row and PostgreSQL probed it in nested loops (the
  // four tables analyzed in 0.3 s at 10,000 people). The rows of the anchor before last are dead
  // now: vacuumed at once (decisions/0070), or each build grew the base by a whole anchor until
  // autovacuum came round, and the ranking's scan of the per-person base read them all.
  await refreshStatistics(db, [...BASE_TABLES], { reclaim: true });
  return built;
}
