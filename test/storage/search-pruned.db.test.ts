// Searches without a time filter over day partitions (decisions/0067): on PostgreSQL the search's
// statements name the event times they reach (search-pruned.repository.ts) instead of one statement
// over every partition. The store has 12 day partitions, late events (appended after newer days,
// into their old day), records in the default partition (past and future days without one), other
// event types, and a tail past the index's watermark. On PostgreSQL the new statements must return
// exactly what the one statement over every partition returned (kept here as the reference), for
// every range, order and limit, so pages and cursors cannot differ; on both databases every page
// of a search, followed by its cursors, is exactly the records holding the text in seq order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { appendRecords, selectRecords, toRecord } from '../../src/compliance/chain/chain.repository.js';
import { contentMatches } from '../../src/compliance/reads/search-index.repository.js';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';
import { searchRecords, type SearchBounds, type SearchFilter } from '../../src/compliance/reads/search.repository.js';
import { runSearch, searchQueryOf } from '../../src/compliance/reads/search.service.js';
import { makeContentPartitionsAhead } from '../../src/compliance/retention/partitions.service.js';
import type { RecordDraft } from '../../src/core/compliance.js';
import { containsIgnoringCase } from '../../src/platform/storage/dialect.js';
import type { DbOrTrx } from '../../src/platform/storage/database.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const start = (Math.floor(Date.now() / DAY) - 10) * DAY; // 12 partitions: 10 days back to 1 ahead
const WORDS = ['alpha', 'bravo', 'charlie', 'delta'];

// Record n: in its day's order mostly; every 9th a late event (a day 2-7 days older than its
// neighbours), every 13th in the default partition (40 days back or 30 ahead), every 17th an
// AUDIT_LOG record. The text holds `rare` in every 23rd.
function draftOf(n: number): RecordDraft {
  let ts = start + Math.floor(n / 12) * DAY + (n % 12) * 1000;
  if (n % 9 === 4) ts -= (2 + (n % 6)) * DAY;
  if (n % 13 === 5) ts = n % 2 ? start - 40 * DAY + n : start + 40 * DAY + n;
  const text = `${WORDS[n % 4]} ${WORDS[(n * 7) % 4]}${n % 23 === 3 ? ' rare' : ''} n${n}`;
  if (n % 17 === 8)
    return { eventType: 'AUDIT_LOG', ts, userId: null, threadId: null, content: { action: 'x', note: text } };
  return {
    eventType: 'CODEX_LOG',
    ts: Math.max(ts, start - 60 * DAY),
    userId: `u${n % 3}`,
    threadId: `t${n % 5}`,
    content: { kind: 'prompt', prompt: { text } },
  };
}
const N = 140;

// The one statements of before: the records joined with their content, the index by seq alone.
async function recordsBefore(db: DbOrTrx, ws: string, f: SearchFilter & { seqs?: number[] }, limit: number) {
  let q = selectRecords(db).where('r.workspace_id', '=', ws);
  if (f.userId !== undefined) q = q.where('r.user_id', '=', f.userId);
  if (f.eventTypes?.length) q = q.where('r.event_type', 'in', f.eventTypes);
  if (f.afterSeq !== undefined) q = q.where('r.seq', '>', f.afterSeq);
  if (f.beforeSeq !== undefined) q = q.where('r.seq', '<', f.beforeSeq);
  if (f.seqs) q = q.where('r.seq', 'in', f.seqs.length ? f.seqs : [-1]);
  if (f.text) q = q.where(containsIgnoringCase(db, sql`c.content`, f.text));
  return (await q.orderBy('r.seq', f.order).limit(limit).execute()).map((r) => toRecord(r));
}
async function matchesBefore(
  db: DbOrTrx,
  ws: string,
  text: string,
  r: { after: number; until: number },
  order: 'asc' | 'desc',
  limit: number,
  types?: string[],
) {
  const t = types?.length ? sql`and event_type in (${sql.join(types)})` : sql``;
  const rows = await sql<{ seq: string }>`select seq from compliance_search_index
    where workspace_id = ${ws} and seq > ${r.after} and seq <= ${r.until} ${t}
      and ${containsIgnoringCase(db, sql`content`, text)}
    order by seq ${order === 'asc' ? sql`asc` : sql`desc`} limit ${limit}`.execute(db);
  return rows.rows.map((x) => Number(x.seq));
}

for (const dialect of DIALECTS)
  describe(`compliance search without a time filter over day partitions (${dialect})`, () => {
    let s: TestStore;
    let ws: string;
    let indexed = 0;
    before(async () => {
      s = await makeStore(dialect);
      ws = (await ensureBootstrapped(s.db)).workspace.id;
      await makeContentPartitionsAhead(s.db, start, 12);
      for (let i = 0; i < N; i += 20) {
        const drafts = Array.from({ length: 20 }, (_, k) => draftOf(i + k));
        await s.db.transaction().execute((trx) => appendRecords(trx, ws, drafts));
        if (i === 100) indexed = await indexPending(s.db);
      }
      assert.ok(indexed >= 100);
      if (dialect === 'postgres') {
        await sql`analyze`.execute(s.db);
        const parts = await sql<{
          n: number;
        }>`select count(*)::int as n from pg_partition_tree('compliance_content_codex_log')
          where isleaf`.execute(s.db);
        assert.ok(parts.rows[0]!.n >= 13, 'the day partitions and a default');
      }
    });
    after(() => s.cleanup());

    const truth = async (text: string | undefined, userId?: string, types?: string[]) => {
      const rows = (await recordsBefore(s.db, ws, { order: 'asc' }, 10_000)).filter(
        (r) =>
          (text === undefined || (r.content ?? '').toLowerCase().includes(text.toLowerCase())) &&
          (userId === undefined || r.user_id === userId) &&
          (!types || types.includes(r.event_type)),
      );
      return rows.map((r) => r.seq);
    };

    it('PostgreSQL: the statements return what the one statement over every partition returned', {
      skip: dialect !== 'postgres' && 'no partitions on SQLite',
    }, async () => {
      const texts = ['alpha', 'rare', 'n1', 'nothing-here', 'bravo charlie'];
      for (const order of ['asc', 'desc'] as const)
        for (const limit of [1, 4, 9, 50, 500])
          for (const [after, until] of [
            [0, indexed],
            [0, 60],
            [37, indexed],
            [80, 95],
            [indexed - 3, indexed],
          ] as const) {
            const range = { after, until };
            for (const text of texts)
              for (const types of [undefined, ['CODEX_LOG'], ['CODEX_LOG', 'AUDIT_LOG']]) {
                const got = await contentMatches(s.db, ws, text, range, order, limit, { eventTypes: types });
                const want = await matchesBefore(s.db, ws, text, range, order, limit, types);
                assert.deepEqual(got, want, JSON.stringify({ order, limit, range, text, types }));
              }
            for (const f of [
              {},
              { text: 'alpha' },
              { text: 'rare' },
              { userId: 'u1' },
              { eventTypes: ['AUDIT_LOG'] },
              { text: 'n', seqs: Array.from({ length: 30 }, (_, i) => i * 4 + after) },
              { seqs: [3, 4, 5, 90, 91, 139] },
            ] as (Partial<SearchFilter> & { seqs?: number[] })[]) {
              const filter = { ...f, order, afterSeq: after, beforeSeq: until + 1 };
              const got = await searchRecords(s.db, ws, filter, limit);
              const want = await recordsBefore(s.db, ws, filter, limit);
              assert.deepEqual(got, want, JSON.stringify({ f, order, limit, after, until }));
            }
          }
    });

    it('every page followed by its cursors: the records holding the text, in seq order', async () => {
      const small: SearchBounds = { shortTextWindow: 17, maxCandidates: 5 };
      for (const order of ['asc', 'desc'] as const)
        for (const [text, user, types] of [
          [undefined],
          ['alpha'],
          ['rare'],
          ['nothing-here'],
          ['n1'],
          ['al'],
          ['charlie', 'u2'],
          ['delta', undefined, ['CODEX_LOG']],
          [undefined, undefined, ['AUDIT_LOG']],
        ] as [string | undefined, string?, string[]?][])
          for (const bounds of [undefined, small])
            for (const limit of [3, 25]) {
              const seqs: number[] = [];
              let next: string | undefined;
              for (let pages = 0; pages < 500; pages++) {
                const q = searchQueryOf({
                  limit,
                  order,
                  ...(text ? { q: text } : {}),
                  ...(user ? { user_id: user } : {}),
                  ...(types ? { event_type: types } : {}),
                  ...(next ? { after: next } : {}),
                } as never);
                const page = JSON.parse(await runSearch(s.db, ws, q, bounds)) as {
                  data: { seq: number }[];
                  has_more: boolean;
                  next_cursor: string | null;
                };
                seqs.push(...page.data.map((d) => d.seq));
                if (!page.has_more) break;
                next = page.next_cursor!;
              }
              const want = await truth(text, user, types);
              assert.deepEqual(
                seqs,
                order === 'asc' ? want : want.reverse(),
                JSON.stringify({ text, user, types, order, limit, bounds }),
              );
            }
    });
  });
