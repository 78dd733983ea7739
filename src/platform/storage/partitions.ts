// Range partitions of a PostgreSQL table partitioned by an integer time column (epoch ms): list
// them, add one ahead of its time, detach and drop one (decisions/0045). Native declarative
// partitioning only: pg_partman would make partitions ahead too, but it is an extension the
// database's owner must install, and it would still need the removal records retention appends
// before a drop, which only Steward can write. SQLite has no partitions: callers ask
// partitionsByTime (dialect.ts) first. Table names come from code, never from input.
import { sql } from 'kysely';
import type { Db, DbOrTrx } from './database.js';
import { DAY_MS } from '../../core/time.js';

export interface RangePartition {
  name: string;
  from: number | null; // null: MINVALUE
  to: number | null; // null: MAXVALUE
}

export interface PartitionsOf {
  ranges: RangePartition[]; // ascending by `from`
  defaultName: string | null; // where rows of no range go (late and far-future events)
}

const id = (name: string) => sql.id(name);

// "FOR VALUES FROM ('1764720000000') TO (MAXVALUE)" (quoted or not, by server version).
function bound(text: string): [number | null, number | null] | null {
  const m = /FROM \((.+?)\) TO \((.+?)\)/.exec(text);
  if (!m) return null;
  const v = (s: string) => (/^MINVALUE$|^MAXVALUE$/.test(s) ? null : Number(s.replace(/'/g, '')));
  return [v(m[1]), v(m[2])];
}

/** The partitions of `parent` (in the current schema); none when it is not partitioned. */
export async function partitionsOf(db: DbOrTrx, parent: string): Promise<PartitionsOf> {
  const r = await sql<{ name: string; bound: string }>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(${parent})`.execute(db);
  const out: PartitionsOf = { ranges: [], defaultName: null };
  for (const row of r.rows) {
    if (row.bound === 'DEFAULT') out.defaultName = row.name;
    else {
      const b = bound(row.bound);
      if (b) out.ranges.push({ name: row.name, from: b[0], to: b[1] });
    }
  }
  out.ranges.sort((a, b) => (a.from ?? -Infinity) - (b.from ?? -Infinity));
  return out;
}

/** `parent`'s partition for the UTC day starting at `dayStart`: parent_pYYYYMMDD. */
export function dayPartitionName(parent: string, dayStart: number): string {
  return `${parent}_p${new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * Adds the partition [from, to) of `parent` on `column` unless a partition already covers any of
 * it. Rows of that range already in the default partition (events dated ahead of their partition)
 * are moved into it. The table is made apart and then attached: ATTACH takes a SHARE UPDATE
 * EXCLUSIVE lock on the parent, which ingest's inserts do not wait for, where CREATE TABLE …
 * PARTITION OF would take an ACCESS EXCLUSIVE one. Serialized per parent across nodes by an
 * advisory lock, so two nodes adding the same day cannot collide. true when it was added.
 */
export async function addRangePartition(
  db: DbOrTrx,
  parent: string,
  column: string,
  name: string,
  from: number,
  to: number,
): Promise<boolean> {
  const add = async (trx: DbOrTrx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`partitions:${parent}`}, 0))`.execute(trx);
    const now = await partitionsOf(trx, parent);
    const overlaps = now.ranges.some((p) => (p.from ?? -Infinity) < to && from < (p.to ?? Infinity));
    if (overlaps || now.ranges.some((p) => p.name === name)) return false;
    await sql`create table ${id(name)} (like ${id(parent)} including defaults)`.execute(trx);
    if (now.defaultName)
      await sql`with moved as (delete from ${id(now.defaultName)} where ${id(column)} >= ${from}
          and ${id(column)} < ${to} returning *)
        insert into ${id(name)} select * from moved`.execute(trx);
    await sql`alter table ${id(parent)} attach partition ${id(name)}
      for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx);
    return true;
  };
  // In a migration the caller's transaction is already open.
  return db.isTransaction ? add(db) : (db as Db).transaction().execute(add);
}

/**
 * Detaches `name` from `parent` and drops it, in the caller's transaction (so with whatever the
 * caller wrote first, e.g. the records that explain the drop). Both take an ACCESS EXCLUSIVE lock
 * on the parent until commit; `lockTimeoutMs` bounds the wait for it (a long read of the parent
 * holds it off, and while this waits, inserts queue behind it), failing the transaction instead.
 */
export async function detachAndDrop(trx: DbOrTrx, parent: string, name: string, lockTimeoutMs: number): Promise<void> {
  await sql.raw(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`).execute(trx);
  await sql`alter table ${id(parent)} detach partition ${id(name)}`.execute(trx);
  await sql`drop table ${id(name)}`.execute(trx);
}
