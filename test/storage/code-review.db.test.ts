// The code review counting rules on both databases: a random history of creates, edits, deletes,
// replies (some before their comment) and reactions (some removed), applied in random batches with
// replays, must leave rollups equal to a recount; concurrent writers must not double count.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commentKey, type CodeReviewFact, type CommentFact } from '../../src/core/code-review.js';
import { codeReviewResponsesPage } from '../../src/analytics/code-review.service.js';
import { applyCodeReviewFacts, type CodeReviewEnv } from '../../src/code-review/ingest.service.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { expectedRows, type TruthComment } from '../support/code-review-truth.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const env = (now: number): CodeReviewEnv => ({
  botLogins: ['bot'],
  reactionClasses: { up: ['+1', 'heart', 'hooray', 'rocket'], down: ['-1', 'confused'] },
  now,
});

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const comment = (id: number, at: number, o: Partial<CommentFact> = {}): CommentFact => ({
  kind: 'comment',
  key: commentKey('h', 'general', id),
  commentType: 'general',
  externalId: String(id),
  host: 'h',
  repository: `r${id % 3}`,
  pullRequest: '1',
  author: { login: 'bot' },
  bot: true,
  priority: null,
  ts: at,
  updatedAt: at,
  deleted: false,
  ...o,
});

for (const dialect of DIALECTS) {
  describe(`code review counting (${dialect})`, () => {
    let store: TestStore;
    let ws: string;
    const now = Date.now();
    const q = (grain: 'day' | 'week') => ({
      grain,
      startBucket: 0,
      endBucket: 1e6,
      limit: 1000,
      group: 'repository',
      cursor: null,
    });
    before(async () => {
      store = await makeStore(dialect);
      ws = (await ensureBootstrapped(store.db)).workspace.id;
    });
    after(() => store.cleanup());

    it('a random history applied in shuffled batches with replays equals a recount', async () => {
      const rand = rng(dialect === 'sqlite' ? 7 : 11);
      const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];
      const history: CodeReviewFact[][] = []; // ordered steps; a step's facts may be shuffled
      const truth = new Map<number, TruthComment & { version: number }>();
      let nextId = 1;
      for (let step = 0; step < 400; step++) {
        const roll = rand();
        const ids = [...truth.keys()];
        if (roll < 0.3 || ids.length === 0) {
          const id = nextId++;
          const at = now - Math.floor(rand() * 20) * DAY - Math.floor(rand() * DAY);
          const priority = pick([0, 1, 2, 3, null]);
          truth.set(id, { at, repo: `r${id % 3}`, priority, replies: new Set(), reactions: [], version: at });
          history.push([comment(id, at, { priority: priority as never })]);
        } else {
          const id = pick(ids);
          const c = truth.get(id)!;
          const key = commentKey('h', 'general', id);
          if (roll < 0.4 && !c.deleted) {
            c.version += 1000;
            c.priority = pick([0, 1, 2, 3, null]);
            history.push([comment(id, c.at, { priority: c.priority as never, updatedAt: c.version })]);
          } else if (roll < 0.45) {
            if (!c.deleted) c.deleted = true;
            history.push([comment(id, c.at, { deleted: true })]);
          } else if (roll < 0.65) {
            const rid = 100_000 + step;
            const reply = comment(rid, c.at + 1000, {
              author: { login: `p${step % 5}` },
              bot: false,
              inReplyToKey: key,
            });
            c.replies.add(String(rid));
            const steps = [[reply]];
            if (rand() < 0.3) {
              c.replies.delete(String(rid));
              steps.push([{ ...reply, deleted: true }]);
            }
            history.push(...steps);
          } else {
            // Reaction keys are unique (as GitHub reaction ids are): a removed reaction is never re-added.
            const live = c.reactions as (TruthComment['reactions'][number] & { key: string })[];
            if (live.length && rand() < 0.4) {
              const gone = pick(live);
              c.reactions = live.filter((r) => r !== gone);
              history.push([
                {
                  kind: 'reaction',
                  commentKey: key,
                  key: gone.key,
                  content: gone.content,
                  user: { login: gone.login },
                  ts: now,
                  removed: true,
                },
              ]);
            } else {
              const login = `p${Math.floor(rand() * 6)}`;
              const content = pick(['+1', '-1', 'heart', 'eyes', 'laugh', 'confused', 'rocket']);
              live.push({ login, content, key: `rx${step}` });
              history.push([
                {
                  kind: 'reaction',
                  commentKey: key,
                  key: `rx${step}`,
                  content,
                  user: { login },
                  ts: now,
                  removed: false,
                },
              ]);
            }
          }
        }
      }
      // A reply that arrives before its comment: move some reply steps ahead of their comment.
      const orphan = comment(nextId, now - DAY, { priority: 1 });
      truth.set(nextId, {
        at: now - DAY,
        repo: `r${nextId % 3}`,
        priority: 1,
        replies: new Set(['999999']),
        reactions: [],
        version: 0,
      });
      history.unshift([comment(999_999, now, { author: { login: 'early' }, bot: false, inReplyToKey: orphan.key })]);
      history.push([orphan]);

      // Batches of 1-8 consecutive steps, each batch also replaying an earlier random step.
      // Within a batch, adds of a reaction come before its removal (as in applyFacts' phases).
      let i = 0;
      while (i < history.length) {
        const n = 1 + Math.floor(rand() * 8);
        const facts = history.slice(i, i + n).flat();
        const replay = i > 0 && rand() < 0.5 ? history[Math.floor(rand() * i)] : [];
        const replayable = replay.filter((f) => f.kind !== 'reaction'); // re-adding a removed reaction would be a new reaction
        await applyCodeReviewFacts(store.db, ws, [...replayable, ...facts], env(now));
        i += n;
      }

      for (const grain of ['day', 'week'] as const) {
        const page = await codeReviewResponsesPage(store.db, ws, q(grain));
        const want = expectedRows([], [...truth.values()], grain, true)
          .filter((r) => r.comments > 0)
          .map(({ b, comment_details, ...rest }) => rest);
        assert.deepEqual(page.data, want, grain);
      }
    });

    it('concurrent writers on one comment: every reaction and reply counts, engagement once', async () => {
      const at = now - 2 * DAY;
      const target = comment(500_000, at, { priority: 0, repository: 'concurrent' });
      await applyCodeReviewFacts(store.db, ws, [target], env(now));
      const writers = Array.from({ length: 16 }, (_, k) => {
        const f: CodeReviewFact =
          k % 4 === 0
            ? comment(600_000 + k, at + k, {
                author: { login: `u${k}` },
                bot: false,
                inReplyToKey: target.key,
                repository: 'concurrent',
              })
            : {
                kind: 'reaction',
                commentKey: target.key,
                key: `u${k}:+1`,
                content: '+1',
                user: { login: `u${k}` },
                ts: now,
                removed: false,
              };
        return applyCodeReviewFacts(store.db, ws, [f], env(now));
      });
      await Promise.all(writers);
      const rows = await store.db
        .selectFrom('cr_repo_day')
        .selectAll()
        .where('repository', '=', 'concurrent')
        .execute();
      assert.equal(rows.length, 1);
      const r = rows[0];
      assert.deepEqual(
        [r.comments, r.p0, r.replies, r.reactions, r.upvotes, r.engaged, r.reacted, r.upvoted, r.replied].map(Number),
        [1, 1, 4, 12, 12, 1, 1, 1, 1],
      );
    });
  });
}
