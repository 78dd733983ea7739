// Retention of a month of CODEX_LOG content on PostgreSQL, as whole partitions dropped vs rows
// deleted (decisions/0045). Two stores with the same records: 31 days of content that all lies past
// a 30-day cutoff. In one the days have their partitions (made as the job makes them ahead), so
// retention drops 31 tables after appending the removal records; in the other no day partition
// exists, every row is in the default partition, and retention deletes rows in batches of 5,000, as
// it does for held days, late events, on SQLite, and did for everything before 0040. Reported:
// seconds of the retention run, the WAL it wrote, and for the deletes the VACUUM that the dead rows
// then cost. WAL: pg_current_wal_lsn before and after is the whole cluster's (others' writes on a
// shared server count too), so the WAL records between the two (pg_walinspect, PostgreSQL 15
// contrib, created in the bench's schema) are summed that touch the schema's relations (tables,
// indexes, TOAST) or belong to a transaction that did (its commit, the catalog rows of a DROP).
// The search index is left empty unless --index: then the indexer runs over every record first, so
// that retention also removes the index's copy of the content (decisions/0037).
// Run: node --import tsx bench/retention-partitions.bench.ts [--records N] [--bytes B] [--index]
import { setTimeout } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { SYSTEM } from '../src/compliance/audit.service.js';
import { appendRecords } from '../src/compliance/chain/chain.repository.js';
import { indexPending } from '../src/compliance/reads/search-indexer.service.js';
import { makeContentPartitionsAhead } from '../src/compliance/retention/partitions.service.js';
import { retentionDaysOf, runRetention } from '../src/compliance/retention/retention.service.js';
import { verifyChain } from '../src/compliance/verify/verify.service.js';
import { startOfDay } from '../src/platform/storage/partitions.js';
import type { Db } from '../src/platform/storage/database.js';
import { benchStore } from './support/stores.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    bytes: { type: 'string', default: '870' },
    index: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(values.records);
const BYTES = Number(values.bytes); // content per record: the capture's mean (docs/scaling.md §1)
const DAY = 86_400_000;
const WS = 'ws-bench';
const first = startOfDay(Date.now()) - 62 * DAY; // days -62 .. -32: all past a 30-day cutoff
const days = retentionDaysOf({ codex_log_days: 30, codex_security_log_days: 0, audit_log_days: 0, auth_log_days: 0 });
const filler = 'x'.repeat(Math.max(0, BYTES - 80));

async function fill(db: Db): Promise<void> {
  const per = 2000;
  for (let i = 0; i < RECORDS; i += per) {
    const drafts = Array.from({ length: Math.min(per, RECORDS - i) }, (_, k) => {
      const n = i + k;
      return {
        eventType: 'CODEX_LOG' as const,
        ts: first + Math.floor((n / RECORDS) * 31 * DAY),
        userId: `u${n % 50}`,
        threadId: `t${n % 997}`,
        content: { kind: 'prompt', n, prompt: { text: filler } },
      };
    });
    await db.transaction().execute((trx) => appendRecords(trx, WS, drafts));
  }
}

const lsn = async (db: Db) => (await sql<{ l: string }>`select pg_current_wal_lsn()::text as l`.execute(db)).rows[0].l;
const mb = (b: number) => (b / 1e6).toFixed(1);

// The schema's relation files, taken before the run (a dropped partition's files are gone after).
async function relfilenodes(db: Db): Promise<string[]> {
  const r = await sql<{ n: string }>`select c.relfilenode::text as n from pg_class c
    where c.relfilenode <> 0 and (c.relnamespace = current_schema()::regnamespace
      or c.oid in (select reltoastrelid from pg_class where relnamespace = current_schema()::regnamespace)
      or c.oid in (select i.indexrelid from pg_index i join pg_class t on t.oid = i.indrelid
        where t.oid in (select reltoastrelid from pg_class where relnamespace = current_schema()::regnamespace)))`.execute(
    db,
  );
  return r.rows.map((x) => x.n);
}

async function walOf(db: Db, from: string, to: string, nodes: string[]): Promise<number> {
  // The extension is the database's: it stays in the schema of the run that created it.
  const at = await sql<{ s: string }>`select extnamespace::regnamespace::text as s from pg_extension
    where extname = 'pg_walinspect'`.execute(db);
  const fn = sql`${sql.id(at.rows[0].s)}.pg_get_wal_records_info`;
  // Only flushed WAL can be read; the WAL writer flushes within wal_writer_delay.
  for (let i = 0; i < 100; i++) {
    const f = await sql<{ ok: boolean }>`select pg_current_wal_flush_lsn() >= ${to}::pg_lsn as ok`.execute(db);
    if (f.rows[0].ok) break;
    await setTimeout(50);
  }
  // Each record's relation files from its block references, matched against the schema's by a join.
  const r = await sql<{ b: string | null }>`with w as (
      select start_lsn, xid, record_length, block_ref from ${fn}(${from}::pg_lsn, ${to}::pg_lsn)),
    refs as (select distinct w.start_lsn, w.xid from w
      cross join lateral regexp_matches(w.block_ref, 'rel \\d+/\\d+/(\\d+)', 'g') as m(f)
      where m.f[1] = any(${nodes}::text[]))
    select sum(record_length)::text as b from w
    where w.start_lsn in (select start_lsn from refs)
      or w.xid in (select xid from refs where xid <> '0')`.execute(db);
  return Number(r.rows[0].b ?? 0);
}

const walAll = async (db: Db, from: string, to: string) =>
  Number(
    (await sql<{ b: string }>`select pg_wal_lsn_diff(${to}::pg_lsn, ${from}::pg_lsn)::text as b`.execute(db)).rows[0].b,
  );
const wal = async (db: Db, from: string, to: string, nodes: string[]) =>
  `WAL ${mb(await walOf(db, from, to, nodes))} MB (the cluster's ${mb(await walAll(db, from, to))} MB)`;

for (const mode of ['drop', 'delete'] as const) {
  const store = await benchStore('postgres', `retention_${mode}`);
  if (mode === 'drop') await makeContentPartitionsAhead(store.db, first, 31);
  const t0 = performance.now();
  await fill(store.db);
  await sql`analyze compliance_content`.execute(store.db);
  const fillS = (performance.now() - t0) / 1000;
  const i0 = performance.now();
  const indexed = values.index ? await indexPending(store.db) : 0;
  if (values.index)
    console.log(`${mode}: indexed ${indexed} records in ${((performance.now() - i0) / 1000).toFixed(1)} s`);
  await sql`checkpoint`.execute(store.db);
  await sql`create extension if not exists pg_walinspect schema ${sql.id(`bench_retention_${mode}`)}`.execute(store.db);
  const nodes = await relfilenodes(store.db);

  const w0 = await lsn(store.db);
  const cpu0 = process.cpuUsage();
  const r0 = performance.now();
  const r = await runRetention(store.db, WS, days, SYSTEM);
  const runS = (performance.now() - r0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const w1 = await lsn(store.db);
  const v = await verifyChain(store.db, WS);
  if (!v.ok) throw new Error(`verify failed after ${mode}: ${JSON.stringify(v.first_bad)}`);
  const left = await sql<{ n: string }>`select count(*) as n from compliance_search_index`.execute(store.db);
  if (Number(left.rows[0].n) !== 0) throw new Error(`${mode}: ${left.rows[0].n} search index rows left`);
  console.log(
    `${mode}: ${r.purged.CODEX_LOG} records' content removed (${RECORDS} appended in ${fillS.toFixed(1)} s), ` +
      `${r.partitions_dropped.length} partitions dropped, retention run ${runS.toFixed(2)} s ` +
      `(this process ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU), ${await wal(store.db, w0, w1, nodes)}; verify ok`,
  );
  await store.close();
}
