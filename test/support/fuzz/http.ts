// Fuzz targets against an in-process server on a real store (decisions/0029): OTLP and session-file
// ingest, the GitHub webhook (every body signed, so the body parser is reached), and every query
// parameter, path parameter and cursor of the Analytics and Compliance read APIs. The property:
// an answer below 500, whatever was sent.
import crypto from 'node:crypto';
import fc from 'fast-check';
import type { TestApp } from '../app.js';
import type { FuzzTarget } from './decoders.js';
import { otlpJsonBodies, otlpProtobufBodies, rolloutFiles } from './decoders.js';
import { applyEdits, edits, nastyString } from './values.js';
import { webhookSeeds } from './seeds.js';

type Sent = { statusCode: number; body: string };
const below500 = (what: string, r: Sent) => {
  if (r.statusCode >= 500) throw new Error(`${what}: ${r.statusCode} ${r.body.slice(0, 500)}`);
};

const sign = (body: Buffer, secret: string) =>
  'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');

// Header values inject() accepts (visible ASCII and spaces): anything else never reaches the server.
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});

/** The five HTTP targets, on `t` (its GitHub webhook secret is `secret`). */
export async function httpTargets(t: TestApp, secret: string): Promise<FuzzTarget<any>[]> {
  await t.user('fuzz@example.com');
  const ingest = await t.key(['ingest.write'], 'fuzz@example.com');
  const reader = await t.key(['codex.enterprise.analytics.read', 'codex.enterprise.compliance.read']);
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  const otlp: FuzzTarget<{ body: Buffer; proto: boolean }> = {
    name: 'POST /v1/logs',
    arb: fc.oneof(
      otlpJsonBodies().map((body) => ({ body, proto: false })),
      otlpProtobufBodies().map((body) => ({ body, proto: true })),
    ),
    async check({ body, proto }) {
      const type = proto ? 'application/x-protobuf' : 'application/json';
      const headers = { ...bearer(ingest), 'content-type': type };
      below500('otlp', await t.app.inject({ method: 'POST', url: '/v1/logs', headers, payload: body }));
    },
  };

  const upload = fc
    .record({
      file: rolloutFiles(),
      path: fc.oneof(fc.constant('/home/dev/.codex/sessions/rollout-fuzz.jsonl'), nastyString),
      offset: fc.oneof(fc.constant(0), fc.nat()),
      final: fc.boolean(),
      damage: fc.option(edits(3), { freq: 4 }),
    })
    .map(({ file, path, offset, final, damage }) => {
      const lines = file
        .toString('utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => ({ n: Buffer.byteLength(l), t: l }));
      const doc = { host: 'fuzz-host', files: [{ path, offset, line: 0, lines, final }] };
      return Buffer.from(JSON.stringify(damage ? applyEdits(doc, damage) : doc) ?? '');
    });
  const rollouts: FuzzTarget<Buffer> = {
    name: 'POST /v1/ingest/rollouts',
    arb: upload,
    async check(body) {
      const headers = { ...bearer(ingest), 'content-type': 'application/json' };
      below500('rollouts', await t.app.inject({ method: 'POST', url: '/v1/ingest/rollouts', headers, payload: body }));
    },
  };

  const seeds = webhookSeeds();
  const delivery = fc.record({
    seed: fc.constantFrom(...seeds),
    damage: fc.option(edits(5), { freq: 5 }),
    event: fc.oneof(fc.constant(undefined), headerText),
    type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', '', 'text/plain'),
  });
  const webhook: FuzzTarget<any> = {
    name: 'POST /v1/integrations/github/webhook',
    arb: delivery,
    async check({ seed: [event, payload], damage, event: other, type }) {
      const json = JSON.stringify(damage ? applyEdits(payload, damage) : payload) ?? '';
      const text = type === 'application/x-www-form-urlencoded' ? `payload=${encodeURIComponent(json)}` : json;
      const body = Buffer.from(text);
      const headers: Record<string, string> = {
        'x-github-event': other ?? event,
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': sign(body, secret),
      };
      if (type) headers['content-type'] = type;
      const url = '/v1/integrations/github/webhook';
      below500('webhook', await t.app.inject({ method: 'POST', url, headers, payload: body }));
    },
  };

  // The query model's body (decisions/0033): valid queries, damaged.
  const QUERIES: unknown[] = [
    { metrics: ['active_users', 'turns', 'credits'], date_range: '30d' },
    { metrics: ['credits', 'threads', 'current_streak'], dimensions: ['user'], order_by: [['credits', 'desc']] },
    { metrics: ['text_total_tokens'], dimensions: ['time:week', 'model'], filters: { model: ['gpt-5.5'] } },
    { metrics: ['active_users'], dimensions: ['team', 'surface'], date_range: ['2026-01-01', '2026-01-31'] },
    {
      metrics: ['turns'],
      filters: { team_id: 'x', user_id: ['u'] },
      limit: 5,
      offset: 10,
      include: { total_rows: true },
    },
  ];
  const analyticsQuery: FuzzTarget<unknown> = {
    name: 'POST analytics query',
    arb: fc
      .tuple(fc.constantFrom(...QUERIES), fc.option(edits(5), { freq: 6 }))
      .map(([q, e]) => (e ? applyEdits(q, e) : q)),
    async check(body) {
      const url = `/v1/analytics/codex/workspaces/${t.workspaceId}/query`;
      const headers = { ...bearer(reader), 'content-type': 'application/json' };
      const payload = JSON.stringify(body) ?? '';
      below500('query', await t.app.inject({ method: 'POST', url, headers, payload }));
    },
  };

  return [otlp, rollouts, webhook, analyticsQuery, await queryTarget(t, reader)];
}

// The read routes, their parameters (from a real page of each), and cursors the server issued.
async function queryTarget(t: TestApp, reader: string): Promise<FuzzTarget<string>> {
  const routes = t.routes
    .filter((r) => r.method === 'GET' && /^\/v1\/(analytics|compliance)\//.test(r.url))
    .map((r) => r.url);
  if (!routes.length) throw new Error('no analytics or compliance read routes');
  const ws = t.workspaceId;
  const auth = { authorization: `Bearer ${reader}` };
  const PARAMS = [
    'start_time',
    'end_time',
    'group_by',
    'group',
    'limit',
    'page',
    'next_page',
    'event_type',
    'after',
    'user',
    'user_id',
    'thread_id',
    'q',
    'order',
    'view',
    'repository',
    'before',
    'cursor',
    'format',
  ];
  // Cursors and ids as the server hands them out: pages of one row each, and the log file ids.
  const issued = new Set<string>(['', 'null', 'eyJ9', 'e30', '%']);
  for (const url of routes.filter((u) => !u.includes(':log_file_id'))) {
    const r = await t.app.inject({ method: 'GET', url: `${url.replace(':workspace_id', ws)}?limit=1`, headers: auth });
    if (r.statusCode !== 200) continue;
    const body = r.json() as Record<string, unknown>;
    for (const k of ['next_page', 'next_cursor', 'last_end_time'])
      if (typeof body[k] === 'string') issued.add(body[k] as string);
    for (const row of Array.isArray(body.data) ? body.data : []) if (typeof row?.id === 'string') issued.add(row.id);
  }
  const cursor = fc.oneof(
    fc.constantFrom(...issued),
    fc
      .tuple(fc.constantFrom(...issued), fc.nat(), fc.string({ maxLength: 3 }))
      .map(([c, at, s]) => c.slice(0, at % (c.length + 1)) + s + c.slice((at % (c.length + 1)) + 1)),
    fc
      .tuple(fc.constantFrom(...issued), edits(2))
      .map(([c, e]) => Buffer.from(JSON.stringify(applyEdits(decoded(c), e)) ?? '').toString('base64url')),
  );
  const value = fc.oneof(
    { arbitrary: nastyString, weight: 3 },
    { arbitrary: cursor, weight: 2 },
    {
      arbitrary: fc.constantFrom('1', '0', '30000', '30001', 'day', 'week', 'user', 'workspace', 'asc', 'merged'),
      weight: 2,
    },
    { arbitrary: fc.integer({ min: -1e12, max: 1e13 }).map(String), weight: 1 },
  );
  // Raw bytes in the query string too: broken %-escapes and unencoded characters.
  const enc = fc.oneof(
    { arbitrary: fc.constant(uri), weight: 4 },
    { arbitrary: fc.constant((s: string) => s.replace(/[#\s?&]/g, '')), weight: 1 },
  );
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), headerText), value, enc), { maxLength: 6 });
  return {
    name: 'GET analytics and compliance reads',
    arb: fc
      .tuple(fc.constantFrom(...routes), query, fc.oneof(fc.constant(ws), nastyString), cursor)
      .map(([route, q, w, id]) => {
        const path = route.replace(':workspace_id', uri(w)).replace(':log_file_id', uri(id));
        return `${path}?${q.map(([k, v, e]) => `${e(k)}=${e(v)}`).join('&')}`;
      }),
    async check(url) {
      below500(`GET ${url}`, await t.app.inject({ method: 'GET', url, headers: auth }));
    },
  };
}

// encodeURIComponent refuses lone surrogates; those go as their UTF-8 replacement.
const uri = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));

function decoded(c: string): unknown {
  try {
    return JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    return c;
  }
}
