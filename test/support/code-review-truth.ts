// Ground truth for the code review endpoints, computed in the test from what it sent: the rows the
// API must return for a set of bot reviews and comments with their replies and reactions.
import assert from 'node:assert/strict';
import type { TestApp } from './app.js';

const DAY = 86_400_000;
const UP = ['+1', 'heart', 'hooray', 'rocket'];
const DOWN = ['-1', 'confused'];

export interface TruthComment {
  at: number;
  repo: string;
  priority: number | null;
  deleted?: boolean;
  replies: Set<string>; // keys of live replies
  reactions: { content: string; login: string }[]; // current reactions by people (not the bot)
}
export interface TruthReview {
  at: number;
  repo: string;
}

export function bucketOf(at: number, grain: 'day' | 'week') {
  const day = Math.floor(at / DAY);
  return grain === 'day' ? day : Math.floor((day + 3) / 7);
}
const startOf = (b: number, grain: 'day' | 'week') => (grain === 'day' ? b * 86_400 : (b * 7 - 3) * 86_400);

export function expectedRows(reviews: TruthReview[], comments: TruthComment[], grain: 'day' | 'week', byRepo: boolean) {
  const rows = new Map<string, any>();
  const row = (at: number, repo: string) => {
    const b = bucketOf(at, grain);
    const id = byRepo ? `${b}\u0000${repo}` : String(b);
    if (!rows.has(id)) {
      rows.set(id, {
        b,
        start_time: startOf(b, grain),
        end_time: startOf(b, grain) + (grain === 'day' ? 86_400 : 7 * 86_400),
        ...(byRepo ? { repository: repo } : {}),
        pull_request_reviews: 0,
        comments: 0,
        comment_details: { p0: 0, p1: 0, p2: 0, p3: 0, unprioritized: 0 },
        replies: 0,
        reactions: 0,
        reaction_details: { upvotes: 0, downvotes: 0, other: 0 },
        comment_response_details: { engaged: 0, reacted: 0, upvoted: 0, downvoted: 0, reacted_other: 0, replied: 0 },
      });
    }
    return rows.get(id);
  };
  for (const r of reviews) row(r.at, r.repo).pull_request_reviews++;
  for (const c of comments) {
    if (c.deleted) continue;
    const r = row(c.at, c.repo);
    r.comments++;
    r.comment_details[c.priority === null ? 'unprioritized' : `p${c.priority}`]++;
    const up = c.reactions.filter((x) => UP.includes(x.content)).length;
    const down = c.reactions.filter((x) => DOWN.includes(x.content)).length;
    const other = c.reactions.length - up - down;
    r.replies += c.replies.size;
    r.reactions += c.reactions.length;
    r.reaction_details.upvotes += up;
    r.reaction_details.downvotes += down;
    r.reaction_details.other += other;
    const d = r.comment_response_details;
    d.engaged += c.reactions.length + c.replies.size > 0 ? 1 : 0;
    d.reacted += c.reactions.length > 0 ? 1 : 0;
    d.upvoted += up > 0 ? 1 : 0;
    d.downvoted += down > 0 ? 1 : 0;
    d.reacted_other += other > 0 ? 1 : 0;
    d.replied += c.replies.size > 0 ? 1 : 0;
  }
  return [...rows.values()].sort((a, b) => a.b - b.b || (a.repository ?? '').localeCompare(b.repository ?? ''));
}

const REVIEW_KEYS = ['start_time', 'end_time', 'pull_request_reviews', 'comments', 'comment_details'];
const RESPONSE_KEYS = [
  'start_time',
  'end_time',
  'pull_request_reviews',
  'comments',
  'replies',
  'reactions',
  'reaction_details',
  'comment_response_details',
];

export async function getPage(
  t: TestApp,
  endpoint: 'code_reviews' | 'code_review_responses',
  query: string,
  key = t.ownerKey,
) {
  const r = await t.app.inject({
    method: 'GET',
    url: `/v1/analytics/codex/workspaces/${t.workspaceId}/${endpoint}?${query}`,
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

// Both endpoints, both grains, both groupings: exactly the expected rows and field sets.
export async function assertEndpointsMatch(
  t: TestApp,
  reviews: TruthReview[],
  comments: TruthComment[],
  startSec: number,
) {
  for (const grain of ['day', 'week'] as const) {
    for (const byRepo of [false, true]) {
      const want = expectedRows(reviews, comments, grain, byRepo).filter(
        (r) => r.pull_request_reviews > 0 || r.comments > 0,
      );
      assert.ok(want.length > 0, 'the scenario has rows to compare');
      const q = `start_time=${startSec}&group_by=${grain}${byRepo ? '&group=repository' : ''}`;
      const reviewsPage = await getPage(t, 'code_reviews', q);
      const responsesPage = await getPage(t, 'code_review_responses', q);
      const pick = (r: any, keys: string[]) =>
        Object.fromEntries([...keys, ...(byRepo ? ['repository'] : [])].map((k) => [k, r[k]]));
      assert.deepEqual(
        reviewsPage.data,
        want.map((r) => pick(r, REVIEW_KEYS)),
        `code_reviews ${q}`,
      );
      assert.deepEqual(
        responsesPage.data,
        want.map((r) => pick(r, RESPONSE_KEYS)),
        `code_review_responses ${q}`,
      );
      for (const p of [reviewsPage, responsesPage]) {
        assert.equal(p.object, 'page');
        assert.equal(p.has_more, false);
        assert.equal(p.next_page, null);
      }
      for (const r of reviewsPage.data)
        assert.deepEqual(Object.keys(r).sort(), [...REVIEW_KEYS, ...(byRepo ? ['repository'] : [])].sort());
      for (const r of responsesPage.data)
        assert.deepEqual(Object.keys(r).sort(), [...RESPONSE_KEYS, ...(byRepo ? ['repository'] : [])].sort());
    }
  }
}
