import { type Kysely, sql } from 'kysely';
import { SURFACE_RULES } from '../core/clients.js';
import { clusteredByPrimaryKey, isSqlite } from '../platform/storage/dialect.js';

// Active-user counts per day and week (decisions/0053): how many people had a counted turn in a
// bucket, per client, per surface and over all of them, so that a time series of active users reads
// a row per bucket instead of counting the bucket's set. Distinct people are not additive across
// clients or surfaces, so each scope is counted from a set of its own: the client-level set exists
// (active_user_*_set); active_user_*_surface_set holds a person once per surface and once with
// surface '' (any). The counts are kept by the database itself, from the rows each set insert
// really added: the sets' primary keys decide what is new (a re-delivered batch adds no row, hence
// no count, on every write path: ingest, the fresh-batch loader, the bench generator).
//   active_user_*_count (workspace_id, bucket, surface, client_id, users):
//     ('', '') everyone; (s, '') surface s; ('', c) client c.
// Filled here from the client-level sets already written; the triggers are made after the fill.
// Also two covering indexes for the per-person panels' lookups (decisions/0053): every part of
// the ranking and the teams panel leaves service identities out (users by workspace and
// service: SQLite and PostgreSQL scanned the 10,000 users once per part), and the team
// dimension finds each row's teams by (workspace, user) and needs team_id (a row lookup per rollup
// row before).
const GRAINS = ['day', 'week'] as const;

// core/clients.ts surfaceOf as SQL text, for the fill (the ingest computes it in code).
function surfaceCase(col: string): string {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const whens = SURFACE_RULES.map((r) => {
    const tests = [
      ...(r.clients.length ? [`${col} in (${r.clients.map(lit).join(', ')})`] : []),
      ...(r.prefix ? [`substr(${col}, 1, ${r.prefix.length}) = ${lit(r.prefix)}`] : []),
    ];
    return `when ${tests.join(' or ')} then ${lit(r.surface)}`;
  });
  return `case ${whens.join(' ')} else 'other' end`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_ws_service').on('users').columns(['workspace_id', 'service', 'id']).execute();
  await db.schema
    .createIndex('team_members_user_team')
    .on('team_members')
    .columns(['workspace_id', 'user_id', 'team_id'])
    .execute();
  // The wider index serves every lookup the old one did.
  await db.schema.dropIndex('team_members_user').execute();
  for (const g of GRAINS) {
    await clusteredByPrimaryKey(db, db.schema.createTable(`active_user_${g}_surface_set`))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('surface', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`active_user_${g}_surface_set_pk`, ['workspace_id', 'bucket', 'user_id', 'surface'])
      .execute();
    await clusteredByPrimaryKey(db, db.schema.createTable(`active_user_${g}_count`))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('surface', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('users', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`active_user_${g}_count_pk`, ['workspace_id', 'bucket', 'surface', 'client_id'])
      .execute();

    const set = `active_user_${g}_set`;
    await sql
      .raw(
        `insert into active_user_${g}_surface_set (workspace_id, bucket, user_id, surface)
         select distinct workspace_id, bucket, user_id, ${surfaceCase('client_id')} from ${set}
         union select distinct workspace_id, bucket, user_id, '' from ${set}`,
      )
      .execute(db);
    await sql
      .raw(
        `insert into active_user_${g}_count (workspace_id, bucket, surface, client_id, users)
         select workspace_id, bucket, '', client_id, count(*) from ${set} group by workspace_id, bucket, client_id
         union all
         select workspace_id, bucket, surface, '', count(*) from active_user_${g}_surface_set
         group by workspace_id, bucket, surface`,
      )
      .execute(db);
    // From now on each set's new rows are counted as they are inserted: the client set's as
    // ('', client), the surface set's as (surface, ''), its '' rows so as ('', ''), everyone.
    for (const [from, surface, client] of [
      [set, "''", 'client_id'],
      [`active_user_${g}_surface_set`, 'surface', "''"],
    ] as const)
      await counter(db, from, `active_user_${g}_count`, surface, client);
  }
}

// After each insert into a set, its new rows counted into the count table. SQLite: a row trigger
// (in-process, cheap). PostgreSQL: a statement trigger over the transition table of the rows the
// statement inserted (ON CONFLICT DO NOTHING leaves conflicting rows out of it), grouped and in key
// order, so concurrent writers lock count rows in the same order as the rollups' sorted upserts.
async function counter(db: Kysely<unknown>, set: string, count: string, surface: string, client: string) {
  const name = `${set}_counts`;
  const conflict =
    'on conflict (workspace_id, bucket, surface, client_id) ' + `do update set users = ${count}.users + excluded.users`;
  if (isSqlite(db)) {
    const s = surface === 'surface' ? 'new.surface' : surface;
    const c = client === 'client_id' ? 'new.client_id' : client;
    await sql
      .raw(
        `create trigger ${name} after insert on ${set} begin
           insert into ${count} (workspace_id, bucket, surface, client_id, users)
           values (new.workspace_id, new.bucket, ${s}, ${c}, 1) ${conflict};
         end`,
      )
      .execute(db);
    return;
  }
  // The scope's column, not its constant '' (PostgreSQL refuses a text constant in GROUP BY).
  const keys = `workspace_id, bucket, ${surface === 'surface' ? surface : client}`;
  await sql
    .raw(
      `create function ${name}() returns trigger language plpgsql as $f$ begin
         insert into ${count} (workspace_id, bucket, surface, client_id, users)
         select workspace_id, bucket, ${surface}, ${client}, count(*) from added
         group by ${keys} order by ${keys} ${conflict};
         return null;
       end $f$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger ${name} after insert on ${set} referencing new table as added
       for each statement execute function ${name}()`,
    )
    .execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
