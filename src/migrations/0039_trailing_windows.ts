import type { Kysely } from 'kysely';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// Trailing windows per person (decisions/0042): for each workspace, the anchor day its base was
// built for (usage_window_state); per window (7, 30, 90 days), person and client or model, the sums
// of the window's days before the anchor, the day rollups' own counters; per person (and client or
// model, '' for any) a mask of the 62 days before the anchor that had a counted turn. Nothing is
// filled here: the daily job builds the first base (until then queries read the day rollups).
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

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_window_state')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('anchor', 'integer', (c) => c.notNull())
    .addColumn('built_at', 'bigint', (c) => c.notNull())
    .execute();
  for (const [table, key] of [
    ['usage_user_window', 'client_id'],
    ['usage_user_model_window', 'model'],
  ] as const) {
    let t = db.schema
      .createTable(table)
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('window_days', 'integer', (c) => c.notNull())
      .addColumn('anchor', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn(key, 'text', (c) => c.notNull());
    for (const col of COUNTERS) t = t.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0));
    await clusteredByPrimaryKey(
      db,
      t.addPrimaryKeyConstraint(`${table}_pk`, ['workspace_id', 'window_days', 'anchor', 'user_id', key]),
    ).execute();
  }
  await clusteredByPrimaryKey(
    db,
    db.schema
      .createTable('user_day_mask')
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('anchor', 'integer', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('days', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_day_mask_pk', ['workspace_id', 'anchor', 'client_id', 'model', 'user_id']),
  ).execute();
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
