// Reactions on Codex comments: GitHub sends no webhook for them, so they are polled from
//   GET {api}/repos/{owner}/{repo}/pulls/comments/{id}/reactions   (inline findings)
//   GET {api}/repos/{owner}/{repo}/issues/comments/{id}/reactions  (conversation comments)
// for bot comments younger than [github] reaction_window_days. Young comments are polled often and
// older ones less (every age/12, between poll_interval_seconds and a day), which keeps a busy
// organization within the REST rate limit. The poller honours x-ratelimit-remaining/reset and
// 403/429 retry-after (it pauses and resumes where it stopped), sends If-None-Match with the last
// ETag (a 304 costs no rate limit), follows Link rel="next", and a 5xx only delays that comment.
import type { Config } from '../../config/schema.js';
import { DAY_MS } from '../../core/time.js';
import { ghReactionList } from './schema.js';
import type { Db } from '../../platform/storage/database.js';
import type { CrCommentTable } from '../code-review.tables.js';
import { dueForReactionPoll, setPollState } from '../code-review-comments.repository.js';
import { syncReactions, type PolledReaction } from '../ingest.service.js';
import { codeReviewEnv } from './github-webhook.service.js';
import { runAlone } from '../../platform/storage/jobs.js';

export interface PollerState {
  pausedUntil: number; // epoch ms; 0 = not paused
}

export interface PollerDeps {
  fetch?: typeof fetch;
  now?: () => number;
  perPage?: number; // GitHub allows up to 100
  batchSize?: number; // comments per cycle
  log?: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
}

export interface PollStats {
  due: number;
  polled: number;
  changed: number;
  not_modified: number;
  reactions_added: number;
  reactions_removed: number;
  not_found: number;
  errors: number;
  requests: number;
  rate_limited: boolean;
  paused_until: number | null;
}

type Fetched =
  | { kind: 'ok'; reactions: PolledReaction[]; etag: string | null }
  | { kind: 'not_modified' }
  | { kind: 'not_found' }
  | { kind: 'rate_limited'; until: number }
  | { kind: 'error'; detail: string };

const MAX_PAGES = 50;
const MAX_CONSECUTIVE_ERRORS = 5;

export function nextPollAt(createdAt: number, now: number, intervalMs: number): number {
  const base = Math.max(intervalMs, 60_000);
  return Math.floor(now + Math.min(Math.max((now - createdAt) / 12, base), DAY_MS));
}

function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return null;
}

// Primary limit: x-ratelimit-remaining 0 until x-ratelimit-reset (epoch seconds). Secondary
// limits: 403/429 with retry-after (seconds). Returns when the poller may continue, or null.
function rateLimitedUntil(res: Response, now: number): number | null {
  const retryAfter = res.headers.get('retry-after');
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  if ((res.status === 403 || res.status === 429) && retryAfter && /^\d+$/.test(retryAfter.trim()))
    return now + Number(retryAfter) * 1000;
  if (remaining === '0') return Number.isFinite(reset) && reset > 0 ? Math.max(reset * 1000, now + 1000) : now + 60_000;
  if (res.status === 429) return now + 60_000;
  return null;
}

export async function pollReactionsOnce(
  db: Db,
  github: Config['github'],
  state: PollerState,
  deps: PollerDeps = {},
): Promise<PollStats> {
  const fetchFn = deps.fetch ?? fetch;
  const now = (deps.now ?? Date.now)();
  const stats: PollStats = {
    due: 0,
    polled: 0,
    changed: 0,
    not_modified: 0,
    reactions_added: 0,
    reactions_removed: 0,
    not_found: 0,
    errors: 0,
    requests: 0,
    rate_limited: false,
    paused_until: null,
  };
  if (state.pausedUntil > now) return { ...stats, rate_limited: true, paused_until: state.pausedUntil };
  state.pausedUntil = 0;
  const base = github.api_base_url.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const perPage = deps.perPage ?? 100;
  const intervalMs = github.poll_interval_seconds * 1000;
  const env = codeReviewEnv(github, now);
  const due = await dueForReactionPoll(
    db,
    'github',
    now,
    now - github.reaction_window_days * DAY_MS,
    deps.batchSize ?? 500,
  );
  stats.due = due.length;
  let consecutiveErrors = 0;

  const fetchAll = async (c: CrCommentTable): Promise<Fetched> => {
    const [owner, ...rest] = c.repository.split('/');
    const kind = c.comment_type === 'issue' ? 'issues' : 'pulls';
    const repo = `${encodeURIComponent(owner)}/${encodeURIComponent(rest.join('/'))}`;
    let url: string | null =
      `${base}/repos/${repo}/${kind}/comments/${encodeURIComponent(c.external_id)}/reactions?per_page=${perPage}`;
    const reactions: PolledReaction[] = [];
    let etag: string | null = null;
    for (let page = 0; url && page < MAX_PAGES; page++) {
      const headers: Record<string, string> = {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'steward',
      };
      if (github.token) headers.authorization = `Bearer ${github.token}`;
      if (page === 0 && c.reactions_etag) headers['if-none-match'] = c.reactions_etag;
      let res: Response;
      try {
        stats.requests++;
        res = await fetchFn(url, { headers, signal: AbortSignal.timeout(15_000) });
      } catch (e) {
        return { kind: 'error', detail: (e as Error).message };
      }
      const limited = rateLimitedUntil(res, now);
      if (res.status === 304) {
        if (limited) state.pausedUntil = limited;
        return { kind: 'not_modified' };
      }
      if (limited && res.status !== 200) return { kind: 'rate_limited', until: limited };
      if (res.status === 404 || res.status === 410) return { kind: 'not_found' };
      if (res.status !== 200) return { kind: 'error', detail: `HTTP ${res.status}` };
      const parsed = ghReactionList.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success) return { kind: 'error', detail: 'reactions response is not a list of reactions' };
      for (const r of parsed.data)
        reactions.push({
          key: r.id,
          content: r.content,
          user: r.user ? { login: r.user.login } : {},
          ts: r.created_at ? Date.parse(r.created_at) || now : now,
        });
      if (page === 0) etag = res.headers.get('etag');
      url = nextLink(res.headers.get('link'));
      // The token is sent only to the configured API (a Link header could point anywhere).
      if (url && new URL(url).origin !== origin) return { kind: 'error', detail: `pagination link leaves ${origin}` };
      if (url) etag = null; // a first-page ETag does not cover later pages: refetch all next time
      if (limited && url) return { kind: 'rate_limited', until: limited };
      if (limited) state.pausedUntil = limited; // this comment is complete; pause after it
    }
    return { kind: 'ok', reactions, etag };
  };

  for (const c of due) {
    const r = await fetchAll(c);
    if (r.kind === 'rate_limited') {
      state.pausedUntil = r.until;
      break;
    }
    stats.polled++;
    if (r.kind === 'error') {
      stats.errors++;
      deps.log?.warn({ comment: c.comment_key, detail: r.detail }, 'github reactions poll failed; will retry');
      await setPollState(db, c.workspace_id, c.comment_key, {
        polledAt: now,
        nextPollAt: now + Math.max(intervalMs, 60_000),
      });
      if (++consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) break;
      continue;
    }
    consecutiveErrors = 0;
    if (r.kind === 'not_found') {
      stats.not_found++;
      await setPollState(db, c.workspace_id, c.comment_key, { polledAt: now, nextPollAt: null });
    } else if (r.kind === 'not_modified') {
      stats.not_modified++;
      await setPollState(db, c.workspace_id, c.comment_key, {
        polledAt: now,
        nextPollAt: nextPollAt(Number(c.created_at), now, intervalMs),
      });
    } else {
      const { added, removed } = await syncReactions(db, c.workspace_id, c.comment_key, r.reactions, env);
      stats.reactions_added += added;
      stats.reactions_removed += removed;
      if (added || removed) stats.changed++;
      await setPollState(db, c.workspace_id, c.comment_key, {
        etag: r.etag,
        polledAt: now,
        nextPollAt: nextPollAt(Number(c.created_at), now, intervalMs),
      });
    }
    if (state.pausedUntil > now) break;
  }
  if (state.pausedUntil > now) {
    stats.rate_limited = true;
    stats.paused_until = state.pausedUntil;
    deps.log?.info(
      { until: new Date(state.pausedUntil).toISOString() },
      'github rate limit reached; reaction polling paused',
    );
  }
  return stats;
}

// The loop `steward serve` runs when a [github] token is configured. stop() waits for a running cycle.
export function startReactionPoller(
  db: Db,
  github: Config['github'],
  deps: PollerDeps = {},
): { stop(): Promise<void> } {
  const state: PollerState = { pausedUntil: 0 };
  const intervalMs = Math.max(github.poll_interval_seconds, 1) * 1000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const cycle = async () => {
    let delay = intervalMs;
    try {
      // One node polls at a time (decisions/0039); the others find the comments it polled not due.
      const s = await runAlone(db, 'code-review.reactions', () => pollReactionsOnce(db, github, state, deps));
      if (s && (s.polled || s.rate_limited)) deps.log?.info(s, 'github reactions polled');
      if (s?.rate_limited && s.paused_until) delay = Math.max(s.paused_until - Date.now(), 1000);
      else if (s && s.due >= (deps.batchSize ?? 500)) delay = 1000; // more are due: continue soon
    } catch (e) {
      deps.log?.warn({ err: e }, 'github reaction poll cycle failed');
    }
    if (!stopped) timer = setTimeout(() => void (running = cycle()), delay);
  };
  timer = setTimeout(() => void (running = cycle()), 1000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
