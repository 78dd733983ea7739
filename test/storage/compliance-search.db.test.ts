// Compliance search's `q` through the trigram index (decisions/0037), both databases: the records
// it finds are exactly those whose stored content holds the text, ignoring case (computed here from
// the content rows themselves), in seq order either way, with LIKE wildcards and quotes taken
// literally; bounded pages (a small candidate budget, a small window for text under three
// characters) page through to the same set; retention removals and holds leave the index
// consistent; records stored before migration 0035 are found. Each of these runs twice: before the
// background indexer ran (every record is past the index's watermark and scanned), and with the
// index holding the first records and the rest past it. Then the indexer catches up (the index
// alone serves the search), and a removal by retention leaves no hit and no index row.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { appendRecords, getHead } from '../../src/compliance/chain/chain.repository.js';
import { startComplianceJobs } from '../../src/compliance/jobs.service.js';
import { indexedUpTo } from '../../src/compliance/reads/search-index.repository.js';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';
import { configSchema } from '../../src/config/schema.js';
import { runSearch, searchQueryOf } from '../../src/compliance/reads/search.service.js';
import type { SearchBounds } from '../../src/compliance/reads/search.repository.js';
import { placeHold, runRetention } from '../../src/compliance/retention/retention.service.js';
import type { RecordDraft } from '../../src/core/compliance.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { cliActor } from '../../src/cli/shared.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const now = Date.now();
const WORDS = ['alpha', 'Beta', 'gamma', 'DELTA', 'z9', '50%_off', 'a_b', 'say "hi"', 'back\\slash', 'ünïcode'];

// n → a record whose text mixes a few words; the first 20 are 40 days old (past a 30-day retention).
const draftOf = (n: number): RecordDraft => ({
  eventType: 'CODEX_LOG',
  ts: n < 20 ? now - 40 * DAY + n : now - 1000 + n,
  userId: `u${n % 3}`,
  threadId: `t${n % 5}`,
  content: {
    kind: 'prompt',
    prompt: {
      text: [0, 3, 7].map((k) => WORDS[(n * k + (n >> 2)) % WORDS.length]).join(n % 2 ? '\n' : ' ') + ` n${n}`,
    },
  },
});

const QUERIES = [
  'alpha',
  'ALPHA',
  'delta',
  'eta g',
  '50%_off',
  '%_o',
  'a_b',
  '"hi',
  'say \\"',
  'k\\\\s',
  'n1',
  'n17 ',
  'z9',
  'z',
  'ünï',
  'nothing-here',
];

async function truth(s: TestStore, ws: string, q: string, userId?: string, threadId?: string): Promise<number[]> {
  const rows = await sql<{ seq: number; content: string; user_id: string | null; thread_id: string | null }>`
    select c.seq, c.content, r.user_id, r.thread_id from compliance_content c
    join compliance_records r on r.workspace_id = c.workspace_id and r.seq = c.seq
    where c.workspace_id = ${ws} order by c.seq`.execute(s.db);
  return rows.rows
    .filter((r) => r.content.toLowerCase().includes(q.toLowerCase()))
    .filter(
      (r) => (userId === undefined || r.user_id === userId) && (threadId === undefined || r.thread_id === threadId),
    )
    .map((r) => Number(r.seq));
}

interface Page {
  data: { seq: number }[];
  has_more: boolean;
  next_cursor: string | null;
}

// Every page of a search, following next_cursor; the seqs in page order and the page count.
async function searchAll(
  s: TestStore,
  ws: string,
  params: Record<string, string | number>,
  bounds?: SearchBounds,
): Promise<{ seqs: number[]; pages: number }> {
  const seqs: number[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages++) {
    const q = searchQueryOf({ limit: 100, ...params, ...(after ? { after } : {}) } as never);
    const page = JSON.parse(await runSearch(s.db, ws, q, bounds)) as Page;
    assert.ok(page.data.length <= Number(params.limit ?? 100));
    seqs.push(...page.data.map((d) => d.seq));
    if (!page.has_more) return { seqs, pages };
    after = page.next_cursor!;
  }
}

const indexRows = async (s: TestStore, ws: string): Promise<number> =>
  Number(
    (s.dialect === 'sqlite'
      ? await sql<{ n: number }>`select count(*) as n from compliance_search`.execute(s.db)
      : await sql<{ n: number }>`select count(*) as n from compliance_search_index
          where workspace_id = ${ws}`.execute(s.db)
    ).rows[0]!.n,
  );
const contentRows = async (s: TestStore, ws: string, upTo: number): Promise<number> =>
  Number(
    (
      await sql<{ n: number }>`select count(*) as n from compliance_content
        where workspace_id = ${ws} and seq <= ${upTo}`.execute(s.db)
    ).rows[0]!.n,
  );

for (const dialect of DIALECTS)
  for (const indexing of ['before the indexer ran', 'partly indexed'] as const)
    describe(`compliance search through the trigram index (${dialect}, ${indexing})`, () => {
      let s: TestStore;
      let ws: string;
      before(async () => {
        // Records before the index exists, then the migration, then more: both halves are found.
        s = await makeStore(dialect, '0024_session_items_in_chain');
        ws = (await ensureBootstrapped(s.db)).workspace.id;
        const drafts = Array.from({ length: 60 }, (_, n) => draftOf(n));
        await s.db.transaction().execute((trx) => appendRecords(trx, ws, drafts.slice(0, 30)));
        await migrateToLatest(s.db);
        for (let i = 30; i < 60; i += 10) {
          await s.db.transaction().execute((trx) => appendRecords(trx, ws, drafts.slice(i, i + 10)));
          if (indexing === 'partly indexed' && i === 30) assert.ok((await indexPending(s.db, { batch: 7 })) >= 40);
        }
        const w = await indexedUpTo(s.db, ws);
        assert.ok(indexing === 'partly indexed' ? w >= 40 && w < 60 : w === 0, `watermark ${w}`);
      });
      after(() => s.cleanup());

      it('with a time range or a type: the records of the range holding the text (PostgreSQL prunes by them)', async () => {
        // (searchQueryOf takes the parsed query: times in ms, types as a list)
        const cut = now - DAY; // between the 40-day-old records and today's
        const byTime = async (q: string) => {
          const rows = await sql<{ seq: number; ts: number }>`select seq, ts from compliance_records
            where workspace_id = ${ws} order by seq`.execute(s.db);
          const at = new Map(rows.rows.map((r) => [Number(r.seq), Number(r.ts)]));
          return (await truth(s, ws, q)).map((seq) => [seq, at.get(seq)!] as const);
        };
        for (const q of ['alpha', 'delta', 'n1', 'nothing-here']) {
          const all = await byTime(q);
          const recent = all.filter(([, ts]) => ts >= cut).map(([seq]) => seq);
          const old = all.filter(([, ts]) => ts < cut).map(([seq]) => seq);
          assert.deepEqual((await searchAll(s, ws, { q, start_time: cut })).seqs, recent, `${q} since`);
          assert.deepEqual(
            (await searchAll(s, ws, { q, end_time: cut, order: 'desc' })).seqs,
            [...old].reverse(),
            `${q} before`,
          );
          assert.deepEqual(
            (await searchAll(s, ws, { q, event_type: ['CODEX_LOG'] } as never)).seqs,
            all.map(([seq]) => seq),
          );
          assert.deepEqual((await searchAll(s, ws, { q, event_type: ['AUTH_LOG'] } as never)).seqs, []);
        }
      });

      it('finds exactly the records whose content holds the text, ignoring case, in either order', async () => {
        for (const q of QUERIES) {
          const want = await truth(s, ws, q);
          const asc = await searchAll(s, ws, { q, limit: 1000 });
          assert.deepEqual(asc.seqs, want, `q=${q}`);
          assert.equal(asc.pages, 1);
          const desc = await searchAll(s, ws, { q, limit: 1000, order: 'desc' });
          assert.deepEqual(desc.seqs, [...want].reverse(), `q=${q} desc`);
        }
        assert.ok((await truth(s, ws, 'alpha')).length > 10);
        assert.ok(
          (await truth(s, ws, 'alpha')).some((seq) => seq <= 32),
          'records from before the migration',
        );
        assert.deepEqual(await truth(s, ws, '%_o'), await truth(s, ws, '50%_off'));
      });

      it('bounded pages (candidates, short-text windows) page through to the same records', async () => {
        const bounds = { maxCandidates: 5, shortTextWindow: 7 };
        for (const q of ['alpha', 'z9', 'z', 'nothing-here']) {
          for (const order of ['asc', 'desc'] as const) {
            const want = await truth(s, ws, q, 'u1');
            const got = await searchAll(s, ws, { q, limit: 3, order, user_id: 'u1' }, bounds);
            assert.deepEqual(got.seqs, order === 'asc' ? want : [...want].reverse(), `q=${q} ${order}`);
            // The head is 60 + 2 records: short text reads 7 seqs a page, so a page per window at least.
            if (q.length < 3) assert.ok(got.pages >= Math.ceil(62 / 7), `${q}: ${got.pages} pages`);
          }
        }
        // SQLite, on the server's thread, reads at most 5 index candidates a page: a text in more
        // than 5 records of other users gives short pages. PostgreSQL's planner reads what it needs.
        const common = await searchAll(s, ws, { q: 'alpha', limit: 3, user_id: 'u1' }, bounds);
        if (dialect === 'sqlite') assert.ok(common.pages > Math.ceil(common.seqs.length / 3), `${common.pages} pages`);
      });

      it('retention removals leave the index consistent, held records stay found', async () => {
        await placeHold(s.db, ws, { threadId: 't1', reason: 'case 15' }, cliActor());
        const before = await truth(s, ws, 'alpha');
        const days = { CODEX_LOG: 30, CODEX_SECURITY_LOG: 0, AUDIT_LOG: 0, AUTH_LOG: 0 };
        const run = await runRetention(s.db, ws, days, cliActor());
        assert.ok(run.purged.CODEX_LOG! > 0);
        for (const q of ['alpha', 'delta', 'n1', 'z', 'retention.removed']) {
          const want = await truth(s, ws, q);
          assert.deepEqual((await searchAll(s, ws, { q, limit: 1000 })).seqs, want, `q=${q}`);
        }
        const afterRun = await truth(s, ws, 'alpha');
        assert.ok(afterRun.length < before.length);
        // A held thread's old records keep their content, and stay found.
        const held = await truth(s, ws, 'n1', undefined, 't1');
        assert.ok(held.some((seq) => seq <= 22));
        assert.deepEqual((await searchAll(s, ws, { q: 'n1', limit: 1000, thread_id: 't1' })).seqs, held);
        // The removed content's index rows went with it.
        assert.equal(await indexRows(s, ws), await contentRows(s, ws, await indexedUpTo(s.db, ws)));
      });
    });

for (const dialect of DIALECTS)
  describe(`the compliance search indexer (${dialect})`, () => {
    let s: TestStore;
    let ws: string;
    let head: number;
    let dropped = -1; // the record taken out of the index by the first test
    before(async () => {
      s = await makeStore(dialect);
      ws = (await ensureBootstrapped(s.db)).workspace.id;
      const drafts = Array.from({ length: 60 }, (_, n) => draftOf(n));
      for (let i = 0; i < 60; i += 20)
        await s.db.transaction().execute((trx) => appendRecords(trx, ws, drafts.slice(i, i + 20)));
      head = (await getHead(s.db, ws))!.seq;
    });
    after(() => s.cleanup());

    it('catches up as the background job, on several nodes at once, and the index then serves the search', async () => {
      // The job of `serve`, with a short first delay; and (PostgreSQL) two more nodes' runs at once.
      if (dialect === 'postgres')
        await s.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtextextended(${'job:compliance.search_index:' + ws}, 0))`.execute(
            trx,
          );
          assert.equal(await indexPending(s.db), 0, 'another node is indexing the workspace');
        });
      const config = configSchema.parse({ compliance: { checkpoint_interval_minutes: 0 } });
      const quiet = { info() {}, warn() {}, error() {} };
      const jobs = startComplianceJobs(s.db, config, quiet as never, { firstIndexDelayMs: 0 });
      if (dialect === 'postgres')
        await Promise.all([indexPending(s.db, { batch: 9 }), indexPending(s.db, { batch: 9 })]);
      for (const t0 = Date.now(); (await indexedUpTo(s.db, ws)) < head; )
        if (Date.now() - t0 > 5000) assert.fail('the indexer did not catch up in 5 s');
        else await new Promise((r) => setImmediate(r));
      await jobs.stop();
      assert.equal(await indexedUpTo(s.db, ws), head);
      assert.equal(await indexRows(s, ws), await contentRows(s, ws, head));
      for (const q of QUERIES)
        assert.deepEqual((await searchAll(s, ws, { q, limit: 1000 })).seqs, await truth(s, ws, q));
      // The index is what answers now: a record taken out of it is no longer found by its text.
      const [seq] = await truth(s, ws, 'n42"');
      assert.ok(seq !== undefined);
      await dropFromIndex(s, ws, seq);
      dropped = seq;
      assert.deepEqual((await searchAll(s, ws, { q: 'n42"', limit: 1000 })).seqs, []);
      assert.deepEqual(
        (await searchAll(s, ws, { q: 'prompt', limit: 1000 })).seqs,
        (await truth(s, ws, 'prompt')).filter((x) => x !== seq),
      );
    });

    it('a removal by retention leaves no hit and no index row', async () => {
      const old = await truth(s, ws, 'n1');
      const days = { CODEX_LOG: 30, CODEX_SECURITY_LOG: 0, AUDIT_LOG: 0, AUTH_LOG: 0 };
      assert.ok((await runRetention(s.db, ws, days, cliActor())).purged.CODEX_LOG! > 0);
      await indexPending(s.db); // the retention run's own records
      const now1 = await truth(s, ws, 'n1');
      assert.ok(now1.length < old.length);
      for (const q of ['n1', 'alpha', 'n1"', 'prompt'])
        assert.deepEqual(
          (await searchAll(s, ws, { q, limit: 1000 })).seqs,
          (await truth(s, ws, q)).filter((x) => x !== dropped),
          q,
        );
      assert.equal(await indexRows(s, ws), (await contentRows(s, ws, await indexedUpTo(s.db, ws))) - 1); // minus n42's, taken out above
    });
  });

async function dropFromIndex(s: TestStore, ws: string, seq: number) {
  if (s.dialect === 'sqlite')
    await sql`delete from compliance_search where rowid = (select n from compliance_search_workspaces
      where workspace_id = ${ws}) * 1099511627776 + ${seq}`.execute(s.db);
  else await sql`delete from compliance_search_index where workspace_id = ${ws} and seq = ${seq}`.execute(s.db);
}
