import { type Kysely, sql } from 'kysely';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// The trailing-window base as one row per person (decisions/0058): per window, anchor and person,
// the day rollups' counters summed over the window's days before the anchor (every client), and
// the days among them with a counted turn (bit 0: the day before the anchor; only the bits the
// window holds, and at most the 62 of user_day_mask). The unfiltered ranking and the teams panel
// read this row and today's rows, instead of grouping a row per client and a mask per person.
// Filled here from the bases already built (usage_user_window, user_day_mask), so that a workspace
// whose base is built for today keeps the window path.
const COUNTERS = [
  'threads',
  'turns',
  'requests',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nusd',
  'credits_n',
];
const MASK_DAYS = 62;

export async function up(db: Kysely<unknown>): Promise<void> {
  let t = db.schema
    .createTable('usage_person_window')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('window_days', 'integer', (c) => c.notNull())
    .addColumn('anchor', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull());
  for (const col of COUNTERS) t = t.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0));
  t = t.addColumn('days', 'bigint', (c) => c.notNull().defaultTo(0));
  await clusteredByPrimaryKey(
    db,
    t.addPrimaryKeyConstraint('usage_person_window_pk', ['workspace_id', 'window_days', 'anchor', 'user_id']),
  ).execute();

  // A union grouped, not a join (as the daily build does it, ingest/windows.repository.ts): a join
  // to the masks planned on stale statistics probed them by anchor alone for each person.
  const sums = sql.join(COUNTERS.map((c) => sql`sum(${sql.ref(c)})`));
  const cols = sql.join(COUNTERS.map((c) => sql.ref(c)));
  const zeros = sql.join(COUNTERS.map(() => sql`0`));
  for (const w of [7, 30, 90]) {
    const keep = sql.raw(((1n << BigInt(Math.min(w, MASK_DAYS) - 1)) - 1n).toString());
    await sql`insert into usage_person_window (workspace_id, window_days, anchor, user_id, ${cols}, days)
      select workspace_id, window_days, anchor, user_id, ${sums}, cast(sum(days) as bigint) & ${keep}
      from (
        select workspace_id, window_days, anchor, user_id, ${cols}, cast(0 as bigint) as days, 1 as counted
        from usage_user_window where window_days = ${sql.lit(w)}
        union all
        select workspace_id, ${sql.lit(w)}, anchor, user_id, ${zeros}, days, 0
        from user_day_mask where client_id = '' and model = ''
      ) x
      group by workspace_id, window_days, anchor, user_id
      having max(counted) = 1`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
