// Code review endpoints at scale: 200,000 Codex bot comments over 90 days (deterministic), with
// reviews, replies and reactions, on SQLite and PostgreSQL. The data goes through the real ingest
// use-case (applyCodeReviewFacts, the path webhooks and the generic endpoint take), so the run also
// reports ingest throughput; then GET .../code_reviews and .../code_review_responses are measured
// through the real app (auth, validation, queries, JSON).
// Run: node --import tsx bench/code-review.bench.ts [--comments N] [--dialect sqlite|postgres] [--iterations N] [--reuse]
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/schema.js';
import { commentKey, reviewKey, type CodeReviewFact, type Priority } from '../src/core/code-review.js';
import { DAY_MS, dayOf } from '../src/core/time.js';
import { buildApp } from '../src/app/app.js';
import { applyCodeReviewFacts } from '../src/code-review/ingest.service.js';
import { codeReviewEnv } from '../src/code-review/github/github-webhook.service.js';
import { createKey } from '../src/access/keys.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import type { DialectName, Store } from '../src/platform/storage/database.js';
import { prng, stats } from './support/prng.js';
import { benchStore } from './support/stores.js';

const { values } = parseArgs({
  options: {
    comments: { type: 'string', default: '200000' },
    dialect: { type: 'string' },
    iterations: { type: 'string', default: '200' },
    reuse: { type: 'boolean', default: false },
  },
});
const COMMENTS = Number(values.comments);
const ITER = Number(values.iterations);
const dialects: DialectName[] = values.dialect ? [values.dialect as DialectName] : ['sqlite', 'postgres'];
const REPOS = Array.from({ length: 40 }, (_, i) => `acme/service-${String(i).padStart(2, '0')}`);
const BOT = 'chatgpt-codex-connector[bot]';
const PEOPLE = Array.from({ length: 300 }, (_, i) => `dev-${i}`);
const CONTENTS = ['+1', '+1', '+1', 'heart', 'rocket', 'hooray', '-1', 'confused', 'eyes', 'laugh'];

// Reviews of 1-6 findings each, spread over the last 90 days with a weekday rhythm; ~35% of findings
// get reactions (1-3), ~12% a reply, ~2% are deleted later, ~3% edited to another priority.
async function generate(store: Store, workspaceId: string, log: (s: string) => void) {
  const rnd = prng(20261122);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  const env = codeReviewEnv(configSchema.parse({}).github, Date.now());
  const today = dayOf(Date.now());
  const truth = { comments: 0, reviews: 0, deleted: 0 };
  let batch: CodeReviewFact[] = [];
  let id = 1;
  let facts = 0;
  let nextLog = 50_000;
  const t0 = performance.now();
  const flush = async () => {
    if (batch.length === 0) return;
    await applyCodeReviewFacts(store.db, workspaceId, batch, env);
    facts += batch.length;
    batch = [];
  };
  while (truth.comments < COMMENTS) {
    const day = today - 89 + Math.floor(rnd() * 90);
    const weekday = (day + 4) % 7; // 0 = Sunday
    if ((weekday === 0 || weekday === 6) && rnd() < 0.7) continue;
    const at = day * DAY_MS + Math.floor(rnd() * DAY_MS);
    const repo = pick(REPOS);
    const pr = String(1 + Math.floor(rnd() * 2000));
    const rid = id++;
    batch.push({
      kind: 'review',
      key: reviewKey('github', rid),
      host: 'github',
      repository: repo,
      pullRequest: pr,
      author: { login: BOT },
      ts: at,
      deleted: false,
    });
    truth.reviews++;
    const n = Math.min(1 + Math.floor(rnd() * 6), COMMENTS - truth.comments);
    for (let k = 0; k < n; k++) {
      const cid = id++;
      const key = commentKey('github', 'inline', cid);
      const r = rnd();
      const priority = (r < 0.05 ? 0 : r < 0.4 ? 1 : r < 0.85 ? 2 : r < 0.93 ? 3 : null) as Priority | null;
      const base = {
        kind: 'comment' as const,
        key,
        commentType: 'inline' as const,
        externalId: String(cid),
        host: 'github',
        repository: repo,
        pullRequest: pr,
        author: { login: BOT },
        bot: true,
        reviewKey: reviewKey('github', rid),
        threadKey: key,
        ts: at + k * 1000,
        updatedAt: at + k * 1000,
      };
      batch.push({ ...base, priority, deleted: false });
      truth.comments++;
      if (rnd() < 0.35) {
        for (let j = 1 + Math.floor(rnd() * 3); j > 0; j--) {
          const who = pick(PEOPLE);
          batch.push({
            kind: 'reaction',
            commentKey: key,
            key: String(id++),
            content: pick(CONTENTS),
            user: { login: who },
            ts: at + 3600_000,
            removed: false,
          });
        }
      }
      if (rnd() < 0.12)
        batch.push({
          ...base,
          key: commentKey('github', 'inline', id++),
          author: { login: pick(PEOPLE) },
          bot: false,
          priority: null,
          inReplyToKey: key,
          threadKey: undefined,
          ts: at + 7200_000,
          updatedAt: at + 7200_000,
          deleted: false,
        });
      if (rnd() < 0.03)
        batch.push({
          ...base,
          priority: (((priority ?? 1) + 1) % 4) as Priority,
          updatedAt: at + 9000_000,
          deleted: false,
        });
      if (rnd() < 0.02) {
        batch.push({ ...base, priority, deleted: true });
        truth.deleted++;
      }
    }
    if (batch.length >= 2000) await flush();
    if (truth.comments >= nextLog) {
      log(`  ${truth.comments} comments, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      nextLog += 50_000;
    }
  }
  await flush();
  const seconds = (performance.now() - t0) / 1000;
  return { ...truth, facts, seconds };
}

for (const dialect of dialects) {
  const store = await benchStore(dialect, `code_review_${COMMENTS}`, !values.reuse);
  const workspaceId = (await ensureBootstrapped(store.db)).workspace.id;
  const existing = values.reuse
    ? await store.db
        .selectFrom('cr_comments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
    : undefined;
  if (existing && Number(existing.n) > 0) console.log(`[${dialect}] reusing ${existing.n} stored comments`);
  else {
    console.log(`[${dialect}] generating ${COMMENTS} bot comments over 90 days through the ingest use-case ...`);
    const g = await generate(store, workspaceId, console.log);
    console.log(
      `[${dialect}] ${g.reviews} reviews, ${g.comments} comments (${g.deleted} deleted), ${g.facts} facts in ${g.seconds.toFixed(1)} s = ${Math.round(g.facts / g.seconds)} facts/s`,
    );
  }
  const { app } = await buildApp({ store, config: configSchema.parse({}) });
  await app.ready();
  const { secret } = await createKey(
    store.db,
    { workspaceId, scopes: ['codex.enterprise.analytics.read'] },
    { type: 'system', id: null },
  );
  const start = (dayOf(Date.now()) - 89) * 86_400;
  const get = async (path: string, q: string) => {
    const t = performance.now();
    const r = await app.inject({
      method: 'GET',
      url: `/v1/analytics/codex/workspaces/${workspaceId}/${path}?${q}`,
      headers: { authorization: `Bearer ${secret}` },
    });
    const ms = performance.now() - t;
    if (r.statusCode !== 200) throw new Error(`${path}?${q}: ${r.statusCode} ${r.body}`);
    return { ms, body: r.json() };
  };
  const all = await get('code_review_responses', `start_time=${start}`);
  const sum = (k: string) => all.body.data.reduce((s: number, r: any) => s + r[k], 0);
  console.log(
    `[${dialect}] API over 90 days: ${all.body.data.length} day rows, ${sum('pull_request_reviews')} reviews, ${sum('comments')} comments, ${sum('replies')} replies, ${sum('reactions')} reactions`,
  );
  const cursors: (string | null)[] = [null];
  let page = await get('code_reviews', `start_time=${start}&group=repository&limit=500`);
  while (page.body.has_more) {
    cursors.push(page.body.next_page);
    page = await get('code_reviews', `start_time=${start}&group=repository&limit=500&page=${page.body.next_page}`);
  }
  console.log(`[${dialect}] group=repository: ${cursors.length} pages of 500 rows`);
  for (let i = 0; i < 20; i++) await get('code_reviews', `start_time=${start}`); // warm-up
  const results: Record<string, ReturnType<typeof stats>> = {};
  const measure = async (label: string, path: string, q: (i: number) => string) => {
    const s: number[] = [];
    for (let i = 0; i < ITER; i++) s.push((await get(path, q(i))).ms);
    results[label] = stats(s);
  };
  const anyPage = (i: number) =>
    cursors[(i * 7919) % cursors.length] ? `&page=${cursors[(i * 7919) % cursors.length]}` : '';
  await measure('code_reviews, day, 90 d', 'code_reviews', () => `start_time=${start}`);
  await measure('code_reviews, week, 90 d', 'code_reviews', () => `start_time=${start}&group_by=week`);
  await measure(
    'code_reviews, repository, page of 500',
    'code_reviews',
    (i) => `start_time=${start}&group=repository&limit=500${anyPage(i)}`,
  );
  await measure('code_review_responses, day, 90 d', 'code_review_responses', () => `start_time=${start}`);
  await measure(
    'code_review_responses, week, 90 d',
    'code_review_responses',
    () => `start_time=${start}&group_by=week`,
  );
  await measure(
    'code_review_responses, repository, page of 500',
    'code_review_responses',
    (i) => `start_time=${start}&group=repository&limit=500${anyPage(i)}`,
  );
  console.log(`[${dialect}] latency in ms over ${ITER} requests each (app.inject, ${COMMENTS} comments):`);
  console.table(results);
  await app.close();
  await store.close();
}
