import { type Kysely, sql } from 'kysely';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// Active users over a trailing window as counts (decisions/0069).
//
// By client: the base's rows with a turn per client. With `turns` in the index by client the count
// reads the index alone, in client order: without it, each of a 30-day window's ~40,000 rows was
// looked up in the table for its turns, or the rows were sorted by client. The index of 0047 is
// this one's prefix: replaced.
//
// By surface: one person on two clients of a surface is one of its people, so the rows per client
// do not count them. `active_user_surface_window` holds, per window, anchor and surface, the people
// active on it on the window's days before the anchor (the surface day set's, made distinct); filled
// here for the bases already built, so that a workspace whose base is built for today keeps it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('usage_user_window_client_turns')
    .on('usage_user_window')
    .columns(['workspace_id', 'window_days', 'anchor', 'client_id', 'user_id', 'turns'])
    .execute();
  await db.schema.dropIndex('usage_user_window_client').execute();

  const t = db.schema
    .createTable('active_user_surface_window')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('window_days', 'integer', (c) => c.notNull())
    .addColumn('anchor', 'integer', (c) => c.notNull())
    .addColumn('surface', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull());
  await clusteredByPrimaryKey(
    db,
    t.addPrimaryKeyConstraint('active_user_surface_window_pk', [
      'workspace_id',
      'window_days',
      'anchor',
      'surface',
      'user_id',
    ]),
  ).execute();
  for (const w of [7, 30, 90])
    await sql`insert into active_user_surface_window (workspace_id, window_days, anchor, surface, user_id)
      select s.workspace_id, ${sql.lit(w)}, b.anchor, s.surface, s.user_id
      from (select distinct workspace_id, anchor from usage_person_window) b
      join active_user_day_surface_set s on s.workspace_id = b.workspace_id
        and s.bucket >= b.anchor - ${sql.lit(w - 1)} and s.bucket <= b.anchor - 1
      where s.surface <> ''
      group by s.workspace_id, b.anchor, s.surface, s.user_id`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
