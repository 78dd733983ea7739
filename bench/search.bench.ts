// Compliance search over a large archive: latency per search (first page of 100) for terms from
// rare to common, a two-character term, and a term narrowed by user; and /healthz latency while
// searches run back to back (on SQLite every read shares the server's thread with /healthz).
// Seeds --records CODEX_LOG prompt records (words drawn from a skewed vocabulary, a few planted
// terms) in one workspace, then runs the background indexer over them (its rate, and /healthz
// meanwhile: on SQLite it shares the server's thread); --reuse keeps the seeded store of the last
// run. On PostgreSQL the 30 days of records have their day partitions. Last, 2,000 more records
// are appended and searched before the indexer runs again (the tail a search scans itself).
// Run: node --import tsx bench/search.bench.ts [--dialect sqlite|postgres] [--records 500000]
//        [--runs 20] [--reuse] [--seed-only (the append cost and sizes alone)] [--store NAME]
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/schema.js';
import type { RecordDraft } from '../src/core/compliance.js';
import { buildApp } from '../src/app/app.js';
import { createKey } from '../src/access/keys.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import { appendRecords } from '../src/compliance/chain/chain.repository.js';
import { indexPending } from '../src/compliance/reads/search-indexer.service.js';
import { makeContentPartitionsAhead } from '../src/compliance/retention/partitions.service.js';
import { cliActor } from '../src/cli/shared.js';
import { sql } from 'kysely';
import type { DialectName, Store } from '../src/platform/storage/database.js';
import { prng, stats } from './support/prng.js';
import { benchStore } from './support/stores.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string' },
    records: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '20' },
    reuse: { type: 'boolean', default: false },
    'seed-only': { type: 'boolean', default: false },
    store: { type: 'string', default: 'search' },
  },
});
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const RECORDS = Number(values.records);
const RUNS = Number(values.runs);
const USERS = 50;
const rand = prng(15);
const letters = 'abcdefghijklmnopqrstuvwxyz';
const vocab = Array.from({ length: 20_000 }, () =>
  Array.from({ length: 4 + Math.floor(rand() * 7) }, () => letters[Math.floor(rand() * 26)]).join(''),
);
// Word i is drawn with a probability falling steeply with i: word 0 is in nearly every prompt.
const word = () => vocab[Math.floor(vocab.length * rand() ** 4)]!;

function prompt(n: number): string {
  const words = Array.from({ length: 20 + Math.floor(rand() * 100) }, word);
  if (n % 100_000 === 7) words.push('zqxneedle'); // 5 records in 500k
  if (n % 10_000 === 3) words.push('[REDACTED:AWS_ACCESS_KEY]'); // 50
  return words.join(rand() < 0.2 ? '\n' : ' ');
}

async function seed(dialect: DialectName, more?: number, fresh = !values.reuse) {
  const t00 = performance.now();
  const store = await benchStore(dialect, values.store, fresh);
  console.log(`store opened and migrated in ${((performance.now() - t00) / 1000).toFixed(1)} s`);
  const boot = await ensureBootstrapped(store.db);
  const ws = boot.workspace.id;
  const have = Number(
    (await store.db.selectFrom('compliance_heads').select('seq').where('workspace_id', '=', ws).executeTakeFirst())
      ?.seq ?? 0,
  );
  const records = more === undefined ? RECORDS : have + more;
  const t0 = performance.now();
  const start = Date.now() - 30 * 86_400_000;
  // PostgreSQL: the days the records fall in have their partitions (0040, 0042), as in a store
  // that has run for those days (the job makes each a week ahead), not the default partition.
  if (records > have) await makeContentPartitionsAhead(store.db, start, 32);
  for (let i = have; i < records; i += 2000) {
    const drafts: RecordDraft[] = Array.from({ length: Math.min(2000, records - i) }, (_, k) => {
      const n = i + k;
      return {
        eventType: 'CODEX_LOG',
        ts: start + n * 5000,
        userId: `u${n % USERS}`,
        threadId: `t${Math.floor(n / 40)}`,
        content: { kind: 'prompt', prompt: { text: prompt(n) } },
      };
    });
    await store.db.transaction().execute((trx) => appendRecords(trx, ws, drafts));
  }
  await store.close();
  if (records > have)
    console.log(
      `seeded ${(records - have).toLocaleString('en-US')} records in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  return ws;
}

// The content and its search index, where the index exists (migration 0035).
async function sizes(store: Store): Promise<string> {
  const mb = (n: unknown) => `${(Number(n) / 1e6).toFixed(0)} MB`;
  try {
    if (store.dialect === 'sqlite') {
      const of = async (like: string) =>
        (await sql<{ n: number }>`select sum(pgsize) as n from dbstat where name like ${like}`.execute(store.db))
          .rows[0]!.n;
      return `content ${mb(await of('compliance_content%'))}, index ${mb(await of('compliance_search%'))}`;
    }
    // Summed over the partitions (migrations 0040 and 0042); a plain table or index has no leaves.
    const r = await sql<{ c: string; t: string; i: string }>`select
      (select sum(pg_total_relation_size(relid)) from pg_partition_tree('compliance_content') where isleaf) as c,
      coalesce((select sum(pg_table_size(relid)) from pg_partition_tree('compliance_search_index') where isleaf),
        pg_table_size('compliance_search_index')) as t,
      coalesce((select sum(pg_relation_size(relid)) from pg_partition_tree('compliance_search_index_trgm')
        where isleaf), pg_relation_size('compliance_search_index_trgm')) as i
      `.execute(store.db);
    const { c, t, i } = r.rows[0]!;
    return `content ${mb(c)} (with its indexes), search index: content copy ${mb(t)} + GIN ${mb(i)}`;
  } catch (e) {
    return `sizes unknown (${(e as Error).message})`;
  }
}

for (const dialect of dialects) {
  const ws = await seed(dialect);
  const store = await benchStore(dialect, values.store, false);
  if (values['seed-only']) {
    console.log(`${dialect}: ${await sizes(store)}`);
    await store.close();
    continue;
  }
  const config = configSchema.parse({ compliance: { max_concurrent_reads: 64 } });
  const { app } = await buildApp({ store, config });
  let origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const key = (await createKey(store.db, { workspaceId: ws, scopes: ['codex.enterprise.compliance.read'] }, cliActor()))
    .secret;
  const search = async (q: string) => {
    const r = await fetch(`${origin}/v1/compliance/workspaces/${ws}/search?limit=100&${q}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (r.status !== 200) throw new Error(`${q}: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { data: unknown[] }).data.length;
  };
  const recent = Math.floor((Date.now() - 30 * 86_400_000 + 0.9 * RECORDS * 5000) / 1000);
  const cases: [string, string][] = [
    ['rare word (5 records)', 'q=zqxneedle'],
    ['substring with punctuation (50)', `q=${encodeURIComponent('REDACTED:AWS_ACCESS')}`],
    ['mid-frequency word', `q=${vocab[2000]}`],
    ['common word', `q=${vocab[0]}`],
    ['absent word', 'q=nowhereatall'],
    ['two characters', 'q=zq'],
    ['rare word, one user', 'q=zqxneedle&user_id=u7'],
    ['common word, one user, desc', `q=${vocab[0]}&user_id=u7&order=desc`],
    // From the time of the newest tenth of the records on (they are 5 s apart from 30 days ago): on
    // PostgreSQL the index query prunes to those days' partitions.
    ['rare word, newest tenth', `q=zqxneedle&start_time=${recent}`],
    ['mid-frequency word, newest tenth', `q=${vocab[2000]}&start_time=${recent}`],
    ['absent word, newest tenth', `q=nowhereatall&start_time=${recent}`],
  ];
  // The indexer over everything not indexed yet (all of it in a fresh store), /healthz meanwhile.
  const probe = async (during: Promise<unknown>) => {
    const lat: number[] = [];
    let busy = true;
    void during.finally(() => (busy = false));
    while (busy) {
      const t = performance.now();
      await fetch(`${origin}/healthz`).then((r) => r.text());
      lat.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
    return stats(lat);
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const indexing = indexPending(store.db);
  const hi = await probe(indexing);
  const indexed = await indexing;
  const cpu = process.cpuUsage(cpu0);
  const secs = (performance.now() - t0) / 1000;
  if (indexed)
    console.log(
      `indexed ${indexed.toLocaleString('en-US')} records in ${secs.toFixed(1)} s = ${Math.round(indexed / secs)} records/s, ` +
        `CPU of this process ${((cpu.user + cpu.system) / 1000 / indexed).toFixed(3)} ms per record; ` +
        `/healthz meanwhile p50 ${hi.p50} ms, p95 ${hi.p95} ms, max ${hi.max} ms (${hi.n} probes)`,
    );
  console.log(`\n${dialect}: ${RECORDS.toLocaleString('en-US')} records, ${await sizes(store)}`);
  const measure = async (cases: [string, string][]) => {
    for (const [name, q] of cases) {
      const times: number[] = [];
      let hits = 0;
      for (let i = 0; i < RUNS + 2; i++) {
        const t = performance.now();
        hits = await search(q);
        if (i >= 2) times.push(performance.now() - t);
      }
      const s = stats(times);
      console.log(
        `  ${name.padEnd(34)} p50 ${String(s.p50).padStart(8)} ms  p95 ${String(s.p95).padStart(8)} ms  (${hits} hits)`,
      );
    }
  };
  await measure(cases);
  // /healthz every 5 ms while a client searches back to back (each case in turn).
  const health: number[] = [];
  let searching = true;
  const searcher = (async () => {
    for (let i = 0; searching; i++) await search(cases[i % cases.length]![1]);
  })();
  const until = performance.now() + 10_000;
  while (performance.now() < until) {
    const t = performance.now();
    await fetch(`${origin}/healthz`).then((r) => r.text());
    health.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  searching = false;
  await searcher;
  const h = stats(health);
  console.log(`  /healthz during searches: p50 ${h.p50} ms, p95 ${h.p95} ms, max ${h.max} ms (${h.n} probes)`);
  // The indexer behind by 2,000 records: those are scanned by every search.
  await app.close();
  await store.close();
  await seed(dialect, 2000, false);
  const behind = await benchStore(dialect, values.store, false);
  const { app: app2 } = await buildApp({ store: behind, config });
  const origin2 = await app2.listen({ host: '127.0.0.1', port: 0 });
  origin = origin2;
  console.log('  with 2,000 records past the index (not indexed yet):');
  await measure(cases.slice(0, 2));
  await app2.close();
  await behind.close();
}
