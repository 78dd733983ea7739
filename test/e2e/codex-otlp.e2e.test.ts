// End to end: the real Codex CLI (0.169) exports OTLP logs into a real `steward serve` process, on
// SQLite and on PostgreSQL. Codex's exporter reaches Steward through a TCP relay that passes bytes
// through unchanged and records them, for the replay check. The ground truth is what the mock
// model returned (mockModel.responses, with the thread and turn ids Codex sent it), never Codex's
// telemetry or Steward's own code: every count, token field, cost and credit amount in the usage
// API must match numbers computed here from it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { startMockModel, type MockModel, type MockUsage, type RecordedResponse } from './support/mock-model.js';
import { makeCodexHome, runCodex, execArgs, CODEX_JS, type CodexHome, type CodexRun } from './support/codex.js';
import { DIALECTS, startSteward, type Steward } from './support/steward.js';
import type { UsageTotals } from '../../src/analytics/usage.service.js';
import { listenOnLoopback } from '../support/listen.js';

const skip = existsSync(CODEX_JS) ? false : 'codex CLI not installed (npm i)';

// ---- ground truth --------------------------------------------------------------------------

// USD per million tokens: uncached input, cached input, output (output includes reasoning).
// Written out here, not imported from src/core/pricing.ts, so a pricing bug can't hide itself.
const RATES: Record<string, [number, number, number]> = {
  'gpt-5.5': [5, 0.5, 30],
  'gpt-5': [1.25, 0.125, 10], // also the fallback for models outside the rate card
};
const CREDITS_PER_USD = 25;
const FALLBACK_MODEL = 'gpt-5';
/** A model no rate card knows: priced as gpt-5, reported as "other" in models[]. */
const UNKNOWN_MODEL = 'acme-coder-7b';

/** Cost of one response in integer nano-dollars (exact: every rate is a whole number of nano-USD per token). */
function costNano(model: string, u: MockUsage): number {
  const [inp, cached, out] = RATES[model] ?? RATES[FALLBACK_MODEL];
  const nano = (usdPerMillion: number) => Math.round(usdPerMillion * 1000);
  return (
    (u.input_tokens - u.cached_input_tokens) * nano(inp) +
    u.cached_input_tokens * nano(cached) +
    u.output_tokens * nano(out)
  );
}

// The API's totals, computed independently here from what the mock model served.
type Expected = UsageTotals;

/** What the usage API must report for a set of responses the mock handed out. */
function expectedOf(responses: RecordedResponse[]): Expected {
  let nano = 0;
  const e: Expected = {
    threads: new Set(responses.map((r) => r.threadId)).size,
    turns: new Set(responses.map((r) => r.turnId)).size,
    model_requests: responses.length,
    credits: 0,
    cost_usd: 0,
    estimated_cost_usd: 0,
    uncached_text_input_tokens: 0,
    cached_text_input_tokens: 0,
    text_output_tokens: 0,
    reasoning_output_tokens: 0,
    text_total_tokens: 0,
  };
  for (const r of responses) {
    nano += costNano(r.model, r.usage);
    e.uncached_text_input_tokens += r.usage.input_tokens - r.usage.cached_input_tokens;
    e.cached_text_input_tokens += r.usage.cached_input_tokens;
    e.text_output_tokens += r.usage.output_tokens;
    e.reasoning_output_tokens += r.usage.reasoning_tokens;
    e.text_total_tokens += r.usage.input_tokens + r.usage.output_tokens;
  }
  e.cost_usd = e.estimated_cost_usd = nano / 1e9;
  e.credits = (nano * CREDITS_PER_USD) / 1e9;
  return e;
}

const MONEY = new Set(['credits', 'cost_usd', 'estimated_cost_usd']);

/** Exact equality on every field (same key set), money to 1e-9. */
function assertTotals(actual: Record<string, unknown>, expected: Record<string, unknown>, what: string) {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: fields`);
  for (const [k, v] of Object.entries(expected)) {
    if (MONEY.has(k)) {
      assert.equal(typeof actual[k], 'number', `${what}.${k} is a number`);
      assert.ok(
        Math.abs((actual[k] as number) - (v as number)) <= 1e-9,
        `${what}.${k}: got ${actual[k]}, expected ${v}`,
      );
    } else {
      assert.strictEqual(actual[k], v, `${what}.${k}`);
    }
  }
}

function withoutThreads(e: Expected): Omit<Expected, 'threads'> {
  const { threads: _t, ...rest } = e;
  return rest;
}

// ---- a byte-for-byte recording relay in front of Steward ---------------------------------------

interface HttpMessage {
  /** `POST /v1/logs HTTP/1.1` or `HTTP/1.1 200 OK`. */
  startLine: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits an HTTP/1.1 byte stream into messages (Content-Length or chunked bodies); stops at an incomplete one. */
function parseHttpStream(buf: Buffer): HttpMessage[] {
  const out: HttpMessage[] = [];
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) return out;
    const lines = buf.subarray(pos, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let p = headEnd + 4;
    let body: Buffer;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', p);
        if (lineEnd < 0) return out;
        const size = parseInt(buf.subarray(p, lineEnd).toString('latin1'), 16);
        p = lineEnd + 2;
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n', p); // no trailers expected: an empty line
          if (trailerEnd < 0) return out;
          p = trailerEnd + 2;
          break;
        }
        if (p + size + 2 > buf.length) return out;
        parts.push(buf.subarray(p, p + size));
        p += size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const n = Number(headers['content-length'] ?? 0);
      if (p + n > buf.length) return out;
      body = buf.subarray(p, p + n);
      p += n;
    }
    out.push({ startLine: lines[0], headers, body });
    pos = p;
  }
}

interface CapturedExchange {
  request: HttpMessage;
  status: number;
  response: HttpMessage;
}

/**
 * A TCP relay between Codex and Steward that copies bytes both ways unchanged (so Steward sees
 * exactly what Codex's HTTP client sends, keep-alive and all) and records them, so the test can
 * check every answer Steward gave and replay the exact batches later.
 */
async function startRelay(target: () => string) {
  const connections: { up: Buffer[]; down: Buffer[] }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const rec = { up: [] as Buffer[], down: [] as Buffer[] };
    connections.push(rec);
    const u = new URL(target());
    const upstream = net.connect(Number(u.port), u.hostname);
    for (const sock of [client, upstream]) {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    }
    client.on('data', (d: Buffer) => rec.up.push(Buffer.from(d)));
    upstream.on('data', (d: Buffer) => rec.down.push(Buffer.from(d)));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const { origin } = await listenOnLoopback(server);
  return {
    logsUrl: `${origin}/v1/logs`,
    /** Raw client-to-server bytes of each connection. */
    rawRequests: () => connections.map((c) => Buffer.concat(c.up)).filter((b) => b.length > 0),
    /** Every request with Steward's answer, in order. */
    exchanges(): CapturedExchange[] {
      const out: CapturedExchange[] = [];
      for (const c of connections) {
        const reqs = parseHttpStream(Buffer.concat(c.up));
        const resps = parseHttpStream(Buffer.concat(c.down));
        assert.equal(resps.length, reqs.length, 'every request Codex sent got an answer');
        reqs.forEach((request, i) =>
          out.push({ request, response: resps[i], status: Number(resps[i].startLine.split(' ')[1]) }),
        );
      }
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends recorded bytes as they are on a new connection and returns the statuses of the answers. */
function replayRaw(url: string, bytes: Buffer): Promise<number[]> {
  const expected = parseHttpStream(bytes).length;
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`replay: ${parseHttpStream(Buffer.concat(chunks)).length} of ${expected} answers`));
    }, 10_000);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      const resps = parseHttpStream(Buffer.concat(chunks));
      if (resps.length === expected) {
        clearTimeout(timer);
        sock.destroy();
        resolve(resps.map((r) => Number(r.startLine.split(' ')[1])));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

// ---- helpers -----------------------------------------------------------------------------------

function assertOk(run: CodexRun) {
  assert.equal(run.timedOut, false, `codex timed out\n${run.stderr}`);
  assert.equal(run.code, 0, `codex exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
}

type UsageRow = {
  start_time: number;
  end_time: number;
  totals: Record<string, unknown>;
  clients: Record<string, unknown>[];
  models: Record<string, unknown>[];
  user_id?: string;
  email?: string | null;
};

const DAY_S = 86_400;

describe('e2e: codex OTLP export into steward serve', { skip }, () => {
  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      let steward: Steward;
      let mock: MockModel;
      let relay: Awaited<ReturnType<typeof startRelay>>;
      let aliceKey: string;
      let bobKey: string;
      const homes: CodexHome[] = [];
      let alice: { id: string; email: string };
      let bob: { id: string; email: string };
      let aliceHome: CodexHome;
      let bobHome: CodexHome;
      const testStartS = Math.floor(Date.now() / 1000);
      // Responses of each run, by run, to attribute them to users.
      const aliceResponses: RecordedResponse[] = [];
      const bobResponses: RecordedResponse[] = [];
      const latencies: number[] = [];
      let finalWorkspace: UsageRow[];
      let finalUsers: UsageRow[];

      async function usage(group: 'workspace' | 'user', groupBy: 'day' | 'week' = 'day'): Promise<UsageRow[]> {
        // A window around the test, so a run near UTC midnight still finds its rows.
        const qs = new URLSearchParams({
          group,
          group_by: groupBy,
          start_time: String(testStartS - 2 * DAY_S),
          end_time: String(Math.floor(Date.now() / 1000) + DAY_S),
        });
        const r = await steward.fetch(`/v1/analytics/codex/workspaces/${steward.workspaceId}/usage?${qs}`);
        const text = await r.text();
        assert.equal(r.status, 200, `usage API: ${text}`);
        const page = JSON.parse(text) as { data: UsageRow[]; has_more: boolean };
        assert.equal(page.has_more, false);
        return page.data;
      }

      // Sums the additive fields over buckets (there is one unless the test crossed UTC midnight).
      function sumTotals(rows: UsageRow[]): Record<string, number> {
        const out: Record<string, number> = {};
        for (const r of rows) for (const [k, v] of Object.entries(r.totals)) out[k] = (out[k] ?? 0) + (v as number);
        return out;
      }

      function checkTotals(rows: UsageRow[], e: Expected, what: string) {
        if (rows.length === 1) return assertTotals(rows[0].totals, { ...e }, what);
        // Crossed a bucket boundary mid-test: a thread is counted once per bucket it was active in.
        const s = sumTotals(rows);
        assert.ok(s.threads >= e.threads, `${what}.threads`);
        delete s.threads;
        assertTotals(s, { ...withoutThreads(e) }, `${what} (summed over ${rows.length} buckets)`);
      }

      /** Poll until the workspace totals show `e` (turns, requests and tokens); returns ms waited. */
      async function waitVisible(e: Expected, sinceMs: number, budgetMs = 1000): Promise<number> {
        for (;;) {
          const s = sumTotals(await usage('workspace'));
          if (
            s.turns === e.turns &&
            s.model_requests === e.model_requests &&
            s.text_total_tokens === e.text_total_tokens
          )
            return Date.now() - sinceMs;
          if (Date.now() - sinceMs > budgetMs) {
            assert.fail(
              `not visible ${budgetMs} ms after codex exited: have ${JSON.stringify(s)}, want ${JSON.stringify(e)}\nsteward stderr:\n${steward.stderr().slice(-3000)}`,
            );
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      }

      async function run(home: CodexHome, args: string[], sink: RecordedResponse[]): Promise<void> {
        const before = mock.responses.length;
        const r = await runCodex(home, args);
        const exitedAt = Date.now();
        assertOk(r);
        sink.push(...mock.responses.slice(before));
        const ms = await waitVisible(expectedOf(mock.responses), exitedAt);
        latencies.push(ms);
      }

      before(async () => {
        steward = await startSteward({ dialect });
        mock = await startMockModel();
        relay = await startRelay(() => steward.url);
        alice = await steward.cli(['users', 'add', `alice-${dialect}@example.com`]);
        bob = await steward.cli(['users', 'add', `bob-${dialect}@example.com`]);
        const ak = await steward.cli<{ secret: string; scopes: string[]; user_id: string }>([
          'keys',
          'create',
          '--scope',
          'ingest.write',
          '--user',
          alice.email,
        ]);
        const bk = await steward.cli<{ secret: string; scopes: string[]; user_id: string }>([
          'keys',
          'create',
          '--scope',
          'ingest.write',
          '--user',
          bob.email,
        ]);
        assert.deepEqual([ak.scopes, bk.scopes], [['ingest.write'], ['ingest.write']]);
        assert.deepEqual([ak.user_id, bk.user_id], [alice.id, bob.id]);
        aliceKey = ak.secret;
        bobKey = bk.secret;
        aliceHome = await makeCodexHome({
          mockUrl: mock.url,
          otel: { endpoint: relay.logsUrl, protocol: 'json', headers: { authorization: `Bearer ${aliceKey}` } },
        });
        homes.push(aliceHome);
        // Bob exports protobuf and uses a model outside the rate card.
        bobHome = await makeCodexHome({
          mockUrl: mock.url,
          model: UNKNOWN_MODEL,
          otel: { endpoint: relay.logsUrl, protocol: 'binary', headers: { authorization: `Bearer ${bobKey}` } },
        });
        homes.push(bobHome);
      });

      after(async () => {
        try {
          if (latencies.length)
            console.log(`# ${dialect}: usage visible ${latencies.join(', ')} ms after codex exited`);
          const ex = relay?.exchanges() ?? [];
          const kinds = [
            ...new Set(
              ex.map(
                (e) =>
                  `${e.request.headers['content-type']}${e.request.headers['content-encoding'] ? `+${e.request.headers['content-encoding']}` : ''}`,
              ),
            ),
          ];
          if (ex.length)
            console.log(
              `# ${dialect}: ${ex.length} OTLP POSTs over ${relay.rawRequests().length} connections (${kinds.join(', ')})`,
            );
        } catch {
          /* diagnostics only */
        } finally {
          await relay?.close();
          await mock?.close();
          await steward?.cleanup();
          for (const h of homes) await h.cleanup();
        }
      });

      it('(a) codex exec with a tool call: two model requests in one turn', async () => {
        mock.setUsage([
          { input_tokens: 12_345, cached_input_tokens: 9_876, output_tokens: 543, reasoning_tokens: 210 },
          { input_tokens: 13_579, cached_input_tokens: 12_288, output_tokens: 1_234, reasoning_tokens: 0 },
        ]);
        await run(aliceHome, execArgs(aliceHome, 'run echo hi in the shell'), aliceResponses);
        assert.deepEqual(
          aliceResponses.map((r) => r.kind),
          ['tool_call', 'message'],
        );
        assert.ok(
          aliceResponses.every((r) => r.originator === 'codex_exec' && r.model === 'gpt-5.5' && r.threadId && r.turnId),
        );
        assert.equal(aliceResponses[0].turnId, aliceResponses[1].turnId, 'one turn');
        checkTotals(await usage('workspace'), expectedOf(aliceResponses), 'workspace after (a)');
      });

      it('(b) codex exec resume --last: same thread, one more turn', async () => {
        mock.setUsage([
          { input_tokens: 27_183, cached_input_tokens: 25_600, output_tokens: 777, reasoning_tokens: 333 },
        ]);
        const before = aliceResponses.length;
        await run(aliceHome, execArgs(aliceHome, 'second turn, no tools please', { resumeLast: true }), aliceResponses);
        const fresh = aliceResponses.slice(before);
        assert.deepEqual(
          fresh.map((r) => r.kind),
          ['message'],
        );
        assert.equal(fresh[0].threadId, aliceResponses[0].threadId, 'same thread');
        assert.notEqual(fresh[0].turnId, aliceResponses[0].turnId, 'new turn');
        const e = expectedOf(aliceResponses);
        assert.equal(e.threads, 1);
        assert.equal(e.turns, 2);
        checkTotals(await usage('workspace'), e, 'workspace after (b)');
      });

      it('(c) another user, protobuf export, a model outside the rate card', async () => {
        mock.setUsage([
          { input_tokens: 4_099, cached_input_tokens: 1_024, output_tokens: 2_048, reasoning_tokens: 1_500 },
          { input_tokens: 5_555, cached_input_tokens: 4_096, output_tokens: 99, reasoning_tokens: 17 },
        ]);
        await run(bobHome, execArgs(bobHome, 'list the files with ls'), bobResponses);
        assert.deepEqual(
          bobResponses.map((r) => r.kind),
          ['tool_call', 'message'],
        );
        assert.ok(bobResponses.every((r) => r.model === UNKNOWN_MODEL && r.originator === 'codex_exec'));
        assert.notEqual(bobResponses[0].threadId, aliceResponses[0].threadId);
        // Every batch reached Steward in the format and with the key configured, and Steward
        // accepted all of its records (no partialSuccess).
        const ex = relay.exchanges();
        assert.ok(ex.length >= 3, `${ex.length} OTLP POSTs`);
        for (const { request, response, status } of ex) {
          assert.equal(request.startLine, 'POST /v1/logs HTTP/1.1');
          assert.equal(status, 200, `steward answered ${response.startLine}: ${response.body}`);
          if (request.headers['content-type'].startsWith('application/json')) {
            assert.equal(request.headers.authorization, `Bearer ${aliceKey}`);
            assert.match(response.headers['content-type'], /^application\/json/);
            assert.deepEqual(JSON.parse(response.body.toString()), {}, 'no partialSuccess');
          } else {
            assert.equal(request.headers['content-type'], 'application/x-protobuf');
            assert.equal(request.headers.authorization, `Bearer ${bobKey}`);
            assert.equal(response.headers['content-type'], 'application/x-protobuf');
            assert.equal(response.body.length, 0, 'empty ExportLogsServiceResponse: no partialSuccess');
          }
        }
        assert.ok(ex.some((e) => e.request.headers['content-type'] === 'application/x-protobuf'));
        assert.ok(ex.some((e) => e.request.headers['content-type'].startsWith('application/json')));
      });

      it('usage API: workspace totals, clients[] and models[] match the ground truth exactly', async () => {
        const all = [...aliceResponses, ...bobResponses];
        assert.equal(mock.responses.length, all.length, 'no request the test did not account for');
        const e = expectedOf(all);
        assert.equal(e.threads, 2);
        assert.equal(e.turns, 3);
        assert.equal(e.model_requests, 5);
        const rows = await usage('workspace');
        finalWorkspace = rows;
        checkTotals(rows, e, 'workspace');
        if (rows.length !== 1) return; // crossed UTC midnight; the per-bucket breakdowns are checked by the sums above
        const row = rows[0];
        assert.ok(row.start_time <= testStartS && Date.now() / 1000 <= row.end_time, 'bucket covers the test');
        // Every run was `codex exec`: a single client row equal to the totals.
        assert.equal(row.clients.length, 1);
        assert.equal(row.clients[0].client_id, 'CODEX_SERVICE_EXEC');
        assertTotals(row.clients[0], { client_id: 'CODEX_SERVICE_EXEC', ...e }, 'clients[CODEX_SERVICE_EXEC]');
        // models[]: gpt-5.5 by name, the unknown model bucketed as "other" but priced as gpt-5.
        assert.deepEqual(row.models.map((m) => m.model).sort(), ['gpt-5.5', 'other']);
        const known = row.models.find((m) => m.model === 'gpt-5.5')!;
        const other = row.models.find((m) => m.model === 'other')!;
        assertTotals(known, { model: 'gpt-5.5', ...withoutThreads(expectedOf(aliceResponses)) }, 'models[gpt-5.5]');
        assertTotals(other, { model: 'other', ...withoutThreads(expectedOf(bobResponses)) }, 'models[other]');
        // The fallback really is gpt-5's rate card: 1.25 / 0.125 / 10 per million.
        const b = bobResponses.map((r) => r.usage);
        const manual = b.reduce(
          (s, u) =>
            s +
            ((u.input_tokens - u.cached_input_tokens) * 1.25 + u.cached_input_tokens * 0.125 + u.output_tokens * 10) /
              1e6,
          0,
        );
        assert.ok(
          Math.abs((other.cost_usd as number) - manual) <= 1e-9,
          `fallback cost ${other.cost_usd} vs ${manual}`,
        );
        assert.ok(Math.abs((other.credits as number) - manual * 25) <= 1e-9);

        // Weekly grain agrees.
        const weeks = await usage('workspace', 'week');
        checkTotals(weeks, e, 'workspace by week');
      });

      it("usage API: one row per user, each matching that user's responses", async () => {
        const rows = await usage('user');
        finalUsers = rows;
        const byUser = new Map<string, UsageRow[]>();
        for (const r of rows) byUser.set(r.user_id!, [...(byUser.get(r.user_id!) ?? []), r]);
        assert.deepEqual([...byUser.keys()].sort(), [alice.id, bob.id].sort());
        for (const [u, responses, model] of [
          [alice, aliceResponses, 'gpt-5.5'],
          [bob, bobResponses, 'other'],
        ] as const) {
          const ur = byUser.get(u.id)!;
          const e = expectedOf(responses);
          checkTotals(ur, e, `user ${u.email}`);
          if (ur.length !== 1) continue;
          assert.equal(ur[0].email, u.email);
          assert.equal(ur[0].clients.length, 1);
          assertTotals(ur[0].clients[0], { client_id: 'CODEX_SERVICE_EXEC', ...e }, `user ${u.email} clients[0]`);
          assert.equal(ur[0].models.length, 1);
          assertTotals(ur[0].models[0], { model, ...withoutThreads(e) }, `user ${u.email} models[0]`);
        }
        assert.equal(expectedOf(aliceResponses).threads + expectedOf(bobResponses).threads, 2);
      });

      it('restart and replay change nothing', async () => {
        assert.ok(finalWorkspace && finalUsers, 'needs the previous tests');
        const banner = await steward.restart();
        assert.equal(banner.owner_key, null, 'a restart prints no owner key');
        assert.equal(banner.workspace_id, steward.banners[0].workspace_id);
        assert.deepEqual(await usage('workspace'), finalWorkspace, 'unchanged after restart');
        assert.deepEqual(await usage('user'), finalUsers, 'unchanged after restart (per user)');

        // Replay every connection Codex opened, byte for byte (same keys, same batches): Steward
        // accepts them (an exporter retrying after a lost ack must not be refused) and counts
        // nothing twice.
        const raw = relay.rawRequests();
        assert.ok(raw.length >= 3);
        for (const bytes of raw) {
          const statuses = await replayRaw(steward.url, bytes);
          assert.ok(statuses.length >= 1 && statuses.every((st) => st === 200), `replay statuses ${statuses}`);
        }
        // And every batch again, all at once, as a retrying collector might.
        const again = await Promise.all(
          relay.exchanges().map(({ request }) => {
            const headers: Record<string, string> = {};
            for (const h of ['content-type', 'content-encoding', 'authorization'])
              if (request.headers[h]) headers[h] = request.headers[h];
            return fetch(new URL('/v1/logs', steward.url), {
              method: 'POST',
              headers,
              body: new Uint8Array(request.body),
            });
          }),
        );
        for (const r of again) {
          assert.equal(r.status, 200);
          await r.arrayBuffer();
        }
        assert.deepEqual(await usage('workspace'), finalWorkspace, 'unchanged after replay');
        assert.deepEqual(await usage('user'), finalUsers, 'unchanged after replay (per user)');
        checkTotals(finalWorkspace, expectedOf([...aliceResponses, ...bobResponses]), 'workspace after replay');
        assert.ok(latencies.every((ms) => ms <= 1000));
      });
    });
  }
});
