// GitHub test helpers: real webhook payloads from @octokit/webhooks-examples (rewritten so that the
// Codex bot and its badges appear), signed deliveries, and a loopback fake of the REST reaction
// endpoints with pagination, ETags and scripted failures.
import crypto from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { TestApp } from './app.js';
import { listenOnLoopback } from './listen.js';

export const BOT = 'chatgpt-codex-connector[bot]';
export const SECRET = 'It is a secret to everybody';

const defs = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: any[] }[];
export function example(name: string, action = ''): any {
  const e = defs.find((d) => d.name === name)?.examples.find((x) => (x.action ?? '') === action);
  if (!e) throw new Error(`no example ${name}/${action}`);
  return structuredClone(e);
}

export const badge = (p: number) =>
  `**<sub><sub>![P${p} Badge](https://img.shields.io/badge/P${p}-${['red', 'orange', 'yellow', 'lightgrey'][p]}?style=flat)</sub></sub>  Finding number ${p}**\n\nExplanation of the problem.`;

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const asUser = (u: any, login: string) => ({
  ...u,
  login,
  id: 1000 + login.length,
  type: login.endsWith('[bot]') ? 'Bot' : 'User',
});

export interface CommentSpec {
  id: number;
  login: string;
  body: string;
  at: number;
  repo?: string;
  pr?: number;
  reviewId?: number;
  inReplyTo?: number;
  action?: 'created' | 'edited' | 'deleted';
}

export function reviewPayload(o: { id: number; login: string; at: number; repo?: string; pr?: number; body?: string }) {
  const p = example('pull_request_review', 'submitted');
  p.review.id = o.id;
  p.review.user = asUser(p.review.user, o.login);
  p.review.submitted_at = iso(o.at);
  p.review.body = o.body ?? '### 💡 Codex Review\n\nHere are some automated review suggestions for this pull request.';
  return retarget(p, o.repo, o.pr);
}

export function reviewCommentPayload(o: CommentSpec) {
  const p = example(
    'pull_request_review_comment',
    o.action === 'edited' ? 'edited' : o.action === 'deleted' ? 'deleted' : 'created',
  );
  p.comment.id = o.id;
  p.comment.user = asUser(p.comment.user, o.login);
  p.comment.body = o.body;
  p.comment.created_at = iso(o.at);
  p.comment.updated_at = iso(o.action === 'edited' ? o.at + 60_000 : o.at);
  p.comment.pull_request_review_id = o.reviewId ?? p.comment.pull_request_review_id;
  if (o.inReplyTo) p.comment.in_reply_to_id = o.inReplyTo;
  else delete p.comment.in_reply_to_id;
  return retarget(p, o.repo, o.pr);
}

export function issueCommentPayload(o: CommentSpec) {
  const p = example('issue_comment', o.action ?? 'created');
  p.issue.pull_request = { url: `https://api.github.com/repos/x/y/pulls/${o.pr ?? 1}` };
  p.issue.number = o.pr ?? p.issue.number;
  p.comment.id = o.id;
  p.comment.user = asUser(p.comment.user, o.login);
  p.comment.body = o.body;
  p.comment.created_at = iso(o.at);
  p.comment.updated_at = iso(o.at);
  if (o.repo) p.repository.full_name = o.repo;
  return p;
}

function retarget(p: any, repo?: string, pr?: number) {
  if (repo) p.repository.full_name = repo;
  if (pr !== undefined) p.pull_request.number = pr;
  return p;
}

let deliveries = 0;
export function nextDelivery(): string {
  return crypto.randomUUID?.() ?? `d-${++deliveries}`;
}

export function sign(body: string | Buffer, secret = SECRET): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

export async function deliver(
  t: TestApp,
  event: string,
  payload: unknown,
  o: { delivery?: string; signature?: string | null; body?: string; contentType?: string; query?: string } = {},
) {
  const body = o.body ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'x-github-event': event,
    'x-github-delivery': o.delivery ?? nextDelivery(),
    'user-agent': 'GitHub-Hookshot/test',
  };
  if (o.signature !== null) headers['x-hub-signature-256'] = o.signature ?? sign(body);
  return t.app.inject({
    method: 'POST',
    url: `/v1/integrations/github/webhook${o.query ?? ''}`,
    headers,
    payload: body,
  });
}

// ---- the fake GitHub REST API (reactions only) ----

export interface FakeReaction {
  id: number;
  content: string;
  login: string;
}
type Scripted = { status: number; headers?: Record<string, string>; body?: unknown };

export interface FakeGithub {
  url: string;
  reactions: Map<string, FakeReaction[]>; // "pulls/123" or "issues/456" -> current reactions
  script: Map<string, Scripted[]>; // one-shot responses served before the real ones
  log: { path: string; status: number; ifNoneMatch?: string; auth?: string }[];
  close(): Promise<void>;
}

const etagOf = (list: FakeReaction[]) =>
  `"${crypto.createHash('sha1').update(JSON.stringify(list)).digest('hex').slice(0, 16)}"`;

export async function startFakeGithub(perPage = 2): Promise<FakeGithub> {
  const reactions = new Map<string, FakeReaction[]>();
  const script = new Map<string, Scripted[]>();
  const log: FakeGithub['log'] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/(pulls|issues)\/comments\/(\d+)\/reactions$/.exec(u.pathname);
    const send = (status: number, headers: Record<string, string>, body?: unknown) => {
      log.push({
        path: u.pathname + u.search,
        status,
        ifNoneMatch: req.headers['if-none-match'] as string | undefined,
        auth: req.headers.authorization,
      });
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4000',
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (!m) return send(404, {}, { message: 'Not Found' });
    const key = `${m[3]}/${m[4]}`;
    const queued = script.get(key)?.shift();
    if (queued) return send(queued.status, queued.headers ?? {}, queued.body ?? { message: 'scripted' });
    const list = reactions.get(key);
    if (!list) return send(404, {}, { message: 'Not Found' });
    const size =
      Number(u.searchParams.get('per_page') ?? 30) > perPage ? perPage : Number(u.searchParams.get('per_page') ?? 30);
    const page = Number(u.searchParams.get('page') ?? 1);
    const etag = etagOf(list) + `-p${page}`;
    if (req.headers['if-none-match'] === etag) return send(304, { etag });
    const slice = list.slice((page - 1) * size, page * size);
    const headers: Record<string, string> = { etag };
    if (page * size < list.length) {
      const next = new URL(`http://${req.headers.host}${u.pathname}`);
      next.searchParams.set('per_page', String(size));
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next}>; rel="next", <${next}>; rel="last"`;
    }
    send(
      200,
      headers,
      slice.map((r) => ({
        id: r.id,
        node_id: `R_${r.id}`,
        user: { login: r.login, id: r.id * 7, type: r.login.endsWith('[bot]') ? 'Bot' : 'User' },
        content: r.content,
        created_at: '2026-01-01T00:00:00Z',
      })),
    );
  });
  const { origin } = await listenOnLoopback(server);
  return { url: `${origin}/api/v3`, reactions, script, log, close: () => new Promise((r) => server.close(() => r())) };
}
