// Compliance searches without a time filter over a year of day partitions (PostgreSQL): what the
// statements of one search page cost to plan and to execute, and how many partitions their plans
// hold. Seeds --days days of CODEX_LOG prompts (--per-day each, every day with its content and
// search index partitions, as a store with a year of retention has them), indexes them, ANALYZEs,
// then runs each case --runs times: the page's wall time in this process (no HTTP), and every
// statement the page sent run again under EXPLAIN (ANALYZE, SUMMARY). --reuse keeps the store.
// --dialect sqlite: the same records and cases on SQLite (no partitions), page times only.
// Run: STEWARD_BENCH_DATABASE_URL=postgres://…/db node --import tsx bench/search-partitions.bench.ts
//        [--dialect postgres|sqlite] [--days 365] [--per-day 200] [--runs 10] [--reuse] [--store NAME]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import type { RecordDraft } from '../src/core/compliance.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import { appendRecords } from '../src/compliance/chain/chain.repository.js';
import { indexPending } from '../src/compliance/reads/search-indexer.service.js';
import { runSearch, searchQueryOf } from '../src/compliance/reads/search.service.js';
import { makeContentPartitionsAhead } from '../src/compliance/retention/partitions.service.js';
import { DAY_MS } from '../src/core/time.js';
import { pgPoolOf } from '../src/platform/storage/database.js';
import { prng, stats } from './support/prng.js';
import { benchStore } from './support/stores.js';
import type { DialectName } from '../src/platform/storage/database.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'postgres' },
    days: { type: 'string', default: '365' },
    'per-day': { type: 'string', default: '200' },
    runs: { type: 'string', default: '10' },
    reuse: { type: 'boolean', default: false },
    store: { type: 'string', default: 'search_year' },
  },
});
const DAYS = Number(values.days);
const PER_DAY = Number(values['per-day']);
const RUNS = Number(values.runs);
const rand = prng(67);
const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

const store = await benchStore(values.dialect as DialectName, values.store, !values.reuse);
const ws = (await ensureBootstrapped(store.db)).workspace.id;
const first = (Math.floor(Date.now() / DAY_MS) - (DAYS - 1)) * DAY_MS;
if (!store.reused) {
  const t0 = performance.now();
  await makeContentPartitionsAhead(store.db, first, DAYS + 7);
  for (let d = 0; d < DAYS; d++) {
    const drafts: RecordDraft[] = Array.from({ length: PER_DAY }, (_, k) => {
      const text = Array.from({ length: 12 }, () => words[Math.floor(rand() * words.length)]).join(' ');
      return {
        eventType: 'CODEX_LOG',
        ts: first + d * DAY_MS + Math.floor((k * DAY_MS) / PER_DAY),
        userId: `u${k % 20}`,
        threadId: `t${d}-${k % 10}`,
        content: { kind: 'prompt', prompt: { text: (d * PER_DAY + k) % 5000 === 7 ? `${text} zqxneedle` : text } },
      };
    });
    await store.db.transaction().execute((trx) => appendRecords(trx, ws, drafts));
  }
  const indexed = await indexPending(store.db);
  await sql`analyze`.execute(store.db);
  console.log(
    `seeded ${(DAYS * PER_DAY).toLocaleString('en-US')} records over ${DAYS} days, indexed ${indexed}, ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
if (store.dialect === 'postgres') {
  const parts = await sql<{ n: string }>`select count(*) as n from pg_partition_tree('compliance_content')
    where isleaf`.execute(store.db);
  console.log(`content partitions: ${parts.rows[0]!.n}`);
}

// Every statement the page sends, as the driver sends it, to be explained afterwards.
const sent: { text: string; values: unknown[] }[] = [];
let recording = false;
const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
  const [q, v] = a as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
  if (recording) {
    const text = typeof q === 'string' ? q : q.text;
    if (!/^\s*(begin|commit|rollback|set)/i.test(text))
      sent.push({ text, values: typeof q === 'string' ? (v ?? []) : (q.values ?? []) });
  }
  return query.apply(this, a);
} as typeof pg.Client.prototype.query;

interface Plan {
  'Relation Name'?: string;
  'Subplans Removed'?: number;
  Plans?: Plan[];
}
const relations = (p: Plan, out: Set<string>) => {
  if (p['Relation Name']) out.add(p['Relation Name']);
  for (const c of p.Plans ?? []) relations(c, out);
  return out;
};

async function explain(s: { text: string; values: unknown[] }) {
  const c = await pgPoolOf(store.db)!.connect();
  try {
    const r = await c.query(`explain (analyze, summary, format json) ${s.text}`, s.values);
    const top = (r.rows[0] as any)['QUERY PLAN'][0];
    return {
      planning: top['Planning Time'] as number,
      execution: top['Execution Time'] as number,
      rels: relations(top.Plan, new Set()).size,
    };
  } finally {
    c.release();
  }
}

const cases: [string, Record<string, unknown>][] = [
  ['no filter, desc, 50 (the Compliance page)', { order: 'desc', limit: 50 }],
  ['no filter, asc, 100', { order: 'asc', limit: 100 }],
  ['common word, desc, 50', { q: 'alpha', order: 'desc', limit: 50 }],
  ['rare word, desc, 50', { q: 'zqxneedle', order: 'desc', limit: 50 }],
  ['absent word, desc, 50', { q: 'nowhereatall', order: 'desc', limit: 50 }],
  ['one user, desc, 50', { user_id: 'u3', order: 'desc', limit: 50 }],
  ['two characters, desc, 50', { q: 'al', order: 'desc', limit: 50 }],
];
for (const [name, input] of cases) {
  const q = searchQueryOf({ limit: 100, ...input } as any);
  const times: number[] = [];
  let last = '';
  for (let i = 0; i < RUNS + 2; i++) {
    const t = performance.now();
    last = await runSearch(store.db, ws, q);
    if (i >= 2) times.push(performance.now() - t);
  }
  sent.length = 0;
  recording = true;
  await runSearch(store.db, ws, q);
  recording = false;
  let planning = 0;
  let execution = 0;
  const rels: number[] = [];
  for (const s of [...sent]) {
    const e = await explain(s);
    planning += e.planning;
    execution += e.execution;
    rels.push(e.rels);
  }
  const t = stats(times);
  const rows = (JSON.parse(last) as { data: unknown[] }).data.length;
  console.log(
    `${name.padEnd(44)} page p50 ${String(t.p50).padStart(7)} ms p95 ${String(t.p95).padStart(7)} ms | ` +
      (store.dialect === 'postgres'
        ? `${sent.length} statements: planning ${planning.toFixed(1)} ms, execution ${execution.toFixed(1)} ms, ` +
          `relations in plans ${rels.join('+')} | `
        : '') +
      `${rows} rows`,
  );
}
await store.close();
