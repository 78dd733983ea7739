// The demo's Codex Code Review activity, one day at a time, as events of the generic code review
// endpoint (code-review/json/schema.ts): pull requests opened and merged, the bot's reviews and
// findings by priority, the authors' replies and reactions. Pure and seeded per day.
import { DAY_MS, dayOf } from '../../core/time.js';
import { prng } from '../../core/random.js';
import { pick, type DemoPerson, type DemoSpec } from './demo-people.js';

export const DEMO_REVIEW_HOST = 'github-demo';
export const DEMO_BOT = 'chatgpt-codex-connector[bot]';

const REPOS = [
  'api',
  'web',
  'mobile',
  'payments',
  'search',
  'infra',
  'data-pipeline',
  'auth',
  'billing',
  'docs',
  'sdk-ts',
  'sdk-python',
  'ml-serving',
  'checkout',
  'ads',
  'maps',
  'notifications',
  'storage',
].map((r) => `acme/${r}`); // prettier-ignore
const REPO_WEIGHTS = REPOS.map((_, i) => 1 / (i + 1));
// P0 (urgent) .. P3 (nit), and findings with no priority badge.
const PRIORITIES: (number | null)[] = [0, 1, 2, 3, null];
const PRIORITY_WEIGHTS = [4, 22, 46, 18, 10];
const REACTIONS = ['+1', '-1', 'heart', 'eyes', 'confused', 'rocket'];
const REACTION_WEIGHTS = [55, 14, 10, 10, 6, 5];

export type ReviewEvent = Record<string, unknown> & { type: string };

export function demoReviewDay(spec: DemoSpec, people: readonly DemoPerson[], index: number): ReviewEvent[] {
  const day = dayOf(spec.now) - (spec.days - 1) + index;
  const rnd = prng((spec.seed * 0x27d4eb2f) ^ (day * 0x165667b1));
  const until = spec.now - 60_000;
  const authors = people.filter((p) => !p.neverActive && index >= p.firstDay && index <= p.lastDay);
  const weekday = (day + 4) % 7;
  const weekend = weekday === 0 || weekday === 6;
  // About one reviewed pull request per 25 working people a day, few at weekends.
  const prs = Math.round((authors.length / 25) * (weekend ? 0.1 : 1) * (0.7 + 0.6 * rnd()));
  const events: ReviewEvent[] = [];
  let n = 0;
  const id = () => `${day}${String(n++).padStart(6, '0')}`;
  const at = (ms: number) => Math.floor(ms / 1000);
  for (let i = 0; i < prs && authors.length; i++) {
    const author = authors[Math.floor(rnd() * authors.length)]!;
    const repository = REPOS[pick(REPO_WEIGHTS, rnd)]!;
    const opened = day * DAY_MS + (7 + Math.floor(rnd() * 10)) * 3_600_000 + Math.floor(rnd() * 3_000_000);
    if (opened + 4 * 3_600_000 > until) continue;
    const pull_request = String((index + 1) * 10_000 + i); // unique per repository across the days
    const who = { login: author.githubLogin };
    events.push({ type: 'pull_request', repository, number: pull_request, action: 'opened', at: at(opened) });
    const reviewId = id();
    const reviewed = opened + 300_000 + Math.floor(rnd() * 900_000);
    const bot = { login: DEMO_BOT };
    events.push({
      type: 'review',
      id: reviewId,
      repository,
      pull_request,
      author: bot,
      bot: true,
      created_at: at(reviewed),
    });
    const findings = pick([18, 30, 26, 16, 10], rnd); // 0..4 findings
    for (let f = 0; f < findings; f++) {
      const commentId = id();
      const priority = PRIORITIES[pick(PRIORITY_WEIGHTS, rnd)]!;
      events.push({
        type: 'comment',
        id: commentId,
        repository,
        pull_request,
        author: bot,
        bot: true,
        priority,
        review_id: reviewId,
        body: `Possible issue found (${priority === null ? 'no priority' : `P${priority}`})`,
        created_at: at(reviewed + f * 1_000),
      });
      const answered = reviewed + 600_000 + Math.floor(rnd() * 3_600_000);
      if (rnd() < 0.25)
        events.push({
          type: 'comment',
          id: id(),
          repository,
          pull_request,
          author: who,
          bot: false,
          in_reply_to: commentId,
          body: rnd() < 0.7 ? 'Good catch, fixed.' : 'This is intended.',
          created_at: at(answered),
        });
      if (rnd() < 0.4)
        events.push({
          type: 'reaction',
          comment_id: commentId,
          content: REACTIONS[pick(REACTION_WEIGHTS, rnd)]!,
          user: who,
          created_at: at(answered + 1_000),
        });
    }
    if (rnd() < 0.7)
      events.push({
        type: 'pull_request',
        repository,
        number: pull_request,
        action: 'merged',
        at: at(opened + 3_600_000),
      });
  }
  return events;
}
