// PostgreSQL catalog reads for the partition tests: where a content row is stored, and whether a
// partition still exists as a table and as a partition.
import { sql } from 'kysely';
import type { Db } from '../../src/platform/storage/database.js';

export async function partitionOf(db: Db, ws: string, seq: number): Promise<string | undefined> {
  const r = await sql<{ p: string }>`select tableoid::regclass::text as p from compliance_content
    where workspace_id = ${ws} and seq = ${seq}`.execute(db);
  return r.rows[0]?.p;
}

export async function tableExists(db: Db, name: string): Promise<{ inClass: boolean; attached: boolean }> {
  const r = await sql<{ c: boolean; a: boolean }>`select
    exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relname = ${name} and n.nspname = current_schema()) as c,
    exists (select 1 from pg_inherits where inhrelid = to_regclass(${name})) as a`.execute(db);
  return { inClass: r.rows[0].c, attached: r.rows[0].a };
}
