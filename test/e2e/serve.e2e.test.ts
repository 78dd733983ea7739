// End to end: `steward serve` as an operator runs it (a real process on a real socket, SQLite
// store): first-start bootstrap, the admin CLI next to a running server, the body limit, graceful
// shutdown and the default bind address.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { synthPayload } from '../support/otlp.js';
import { startSteward, rssOf, type Steward } from './support/steward.js';

const MiB = 1024 * 1024;

interface KeyView {
  id: string;
  prefix: string;
  scopes: string[];
  user_id: string | null;
  revoked_at: number | null;
}

type Totals = Record<string, number>;

async function workspaceTotals(s: Steward): Promise<Totals> {
  const r = await s.fetch(`/v1/analytics/codex/workspaces/${s.workspaceId}/usage?group=workspace&group_by=week`);
  const text = await r.text();
  assert.equal(r.status, 200, text);
  const out: Totals = {};
  for (const row of (JSON.parse(text) as { data: { totals: Totals }[] }).data)
    for (const [k, v] of Object.entries(row.totals)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** One turn with one model response in a fresh conversation, as Codex 0.169 would export it. */
function batch(input: number): Buffer {
  const c = crypto.randomUUID();
  const ts = Date.now();
  return Buffer.from(
    JSON.stringify(
      synthPayload([
        { conv: c, ts, kind: 'prompt' },
        { conv: c, ts: ts + 1, kind: 'response', input, cached: 0, output: 1, reasoning: 0 },
      ]),
    ),
  );
}

function postLogs(s: Steward, key: string, body: Buffer): Promise<Response> {
  return fetch(new URL('/v1/logs', s.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: new Uint8Array(body),
  });
}

interface HugeResult {
  status: number | undefined;
  bytesSent: number;
  body: string;
  socketError: string | undefined;
}

/**
 * POST `total` bytes to /v1/logs on a raw socket, either with a declared Content-Length or chunked
 * (the server then only learns the size by reading). Writes 256 KiB at a time, each only after the
 * previous one reached the kernel and an event-loop turn passed, so a response that came in is read
 * before writing more; stops writing once a response arrived. Like curl with a large body, it first
 * gives the server a moment (100 ms) to refuse on the headers alone.
 */
function postHuge(url: string, key: string, total: number, chunked: boolean): Promise<HugeResult> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    const piece = Buffer.alloc(256 * 1024, 0x20);
    const framed = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    let sent = 0;
    let response = '';
    let socketError: string | undefined;
    const head =
      `POST /v1/logs HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key}\r\n` +
      (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${total}\r\n`) +
      'Connection: close\r\n\r\n';
    const step = () => {
      if (response || sock.destroyed) return;
      if (sent >= total) {
        if (chunked) sock.write('0\r\n\r\n');
        return;
      }
      sent += piece.length;
      sock.write(chunked ? framed : piece, (err) => {
        if (!err) setImmediate(step);
      });
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no response after ${sent} bytes`));
    }, 30_000);
    sock.on('connect', () => {
      sock.write(head);
      setTimeout(step, 100);
    });
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (response += d));
    sock.on('error', (e: NodeJS.ErrnoException) => (socketError = e.code));
    sock.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        bytesSent: sent,
        body: response.split('\r\n\r\n').slice(1).join('\r\n\r\n'),
        socketError,
      });
    });
  });
}

function connectError(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve('timeout');
    });
    s.on('connect', () => {
      s.destroy();
      resolve(null);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Local addresses of LISTEN sockets on `port`, from /proc/net/tcp{,6} (hex, as the kernel shows them). */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [addr, p] = local.split(':');
      if (state === '0A' && parseInt(p, 16) === port) out.push(addr);
    }
  }
  return out;
}

describe('e2e: steward serve (sqlite)', () => {
  let s: Steward;
  let userEmail: string;
  let ingestKey: { id: string; secret: string };

  before(async () => {
    s = await startSteward({ dialect: 'sqlite' });
  });

  after(async () => {
    await s?.cleanup();
  });

  it('first start prints the owner key; a restart prints owner_key null and keeps the workspace', async () => {
    const first = s.banners[0];
    assert.equal(first.event, 'listening');
    assert.equal(first.dialect, 'sqlite');
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(first.store.endsWith('steward.db'), first.store);
    assert.ok(first.owner_key, 'first start prints the owner key');
    assert.match(first.owner_key.id, /^[0-9a-f-]{36}$/);
    assert.ok(first.owner_key.secret.length >= 24);
    // The owner key works: it can read usage.
    const r = await s.fetch(`/v1/analytics/codex/workspaces/${first.workspace_id}/usage?group=workspace`);
    assert.equal(r.status, 200, await r.text());

    const stopped = await s.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, 'exits 0 on SIGTERM');
    const again = await s.start();
    assert.equal(again.owner_key, null, 'the owner key is shown once only');
    assert.equal(again.workspace_id, first.workspace_id);
    const ws = await s.cli<{ id: string }[]>(['workspaces', 'list']);
    assert.deepEqual(
      ws.map((w) => w.id),
      [first.workspace_id],
    );
    // The owner key printed at first start still authenticates after the restart.
    const r2 = await s.fetch(`/v1/analytics/codex/workspaces/${first.workspace_id}/usage?group=workspace`);
    assert.equal(r2.status, 200);
    // Only one key exists so far: the owner's, with scope admin.
    const keys = await s.cli<KeyView[]>(['keys', 'list']);
    assert.deepEqual(
      keys.map((k) => [k.id, k.scopes]),
      [[first.owner_key.id, ['admin']]],
    );
  });

  it('listens on 127.0.0.1 only by default', async () => {
    const port = Number(new URL(s.url).port);
    assert.equal(new URL(s.url).hostname, '127.0.0.1');
    // The kernel's view: exactly one listening socket on the port, bound to 127.0.0.1.
    assert.deepEqual(listeners(port), ['0100007F']);
    assert.equal(await connectError('127.0.0.1', port), null);
    assert.equal(await connectError('::1', port), 'ECONNREFUSED');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (external) {
      // Control: a socket bound to all interfaces is reachable on that address...
      const control = net.createServer((c) => c.destroy());
      await new Promise<void>((r) => control.listen(0, '0.0.0.0', () => r()));
      const cport = (control.address() as net.AddressInfo).port;
      assert.equal(await connectError(external, cport), null, 'control listener reachable on the external address');
      await new Promise<void>((r) => control.close(() => r()));
      // ...but Steward is not.
      assert.equal(await connectError(external, port), 'ECONNREFUSED');
    }
  });

  it('admin CLI works while serve runs: users add, keys create/list/revoke; a revoked key gets 401', async () => {
    userEmail = 'dev@example.com';
    const user = await s.cli<{ id: string; email: string; role: string }>(['users', 'add', userEmail]);
    assert.equal(user.email, userEmail);
    assert.equal(user.role, 'member');
    const created = await s.cli<{
      id: string;
      secret: string;
      scopes: string[];
      user_id: string;
      workspace_id: string;
    }>(['keys', 'create', '--scope', 'ingest.write', '--user', userEmail]);
    assert.deepEqual(created.scopes, ['ingest.write']);
    assert.equal(created.user_id, user.id);
    assert.equal(created.workspace_id, s.workspaceId);
    ingestKey = { id: created.id, secret: created.secret };

    // The running server accepts the key created by another process at once.
    const ok = await postLogs(s, created.secret, batch(100));
    assert.equal(ok.status, 200, await ok.text());
    // An ingest key can't read analytics.
    const denied = await s.fetch(`/v1/analytics/codex/workspaces/${s.workspaceId}/usage`, { key: created.secret });
    assert.equal(denied.status, 403, await denied.text());

    // A second key, to be revoked; list never shows secrets.
    const doomed = await s.cli<{ id: string; secret: string }>([
      'keys',
      'create',
      '--scope',
      'ingest.write',
      '--user',
      userEmail,
      '--name',
      'laptop',
    ]);
    assert.equal((await postLogs(s, doomed.secret, batch(200))).status, 200);
    let list = await s.cli<KeyView[]>(['keys', 'list']);
    assert.deepEqual(list.map((k) => k.id).sort(), [s.ownerKey.id, created.id, doomed.id].sort());
    assert.ok(!JSON.stringify(list).includes(doomed.secret), 'keys list never prints a secret');
    assert.ok(list.every((k) => k.revoked_at === null));

    const revoked = await s.cli<KeyView>(['keys', 'revoke', doomed.id]);
    assert.equal(revoked.id, doomed.id);
    assert.equal(typeof revoked.revoked_at, 'number');
    list = await s.cli<KeyView[]>(['keys', 'list']);
    assert.equal(typeof list.find((k) => k.id === doomed.id)!.revoked_at, 'number');
    assert.equal(list.find((k) => k.id === created.id)!.revoked_at, null);

    const after = await postLogs(s, doomed.secret, batch(400));
    assert.equal(after.status, 401, await after.text());
    // The other key is unaffected, and the rejected batch was not counted.
    assert.equal((await postLogs(s, created.secret, batch(800))).status, 200);
    const t = await workspaceTotals(s);
    assert.equal(t.turns, 3);
    assert.equal(t.uncached_text_input_tokens, 100 + 200 + 800);

    // CLI errors have exit codes, not stack traces.
    const dup = await s.cliRaw(['users', 'add', userEmail, '--json']);
    assert.notEqual(dup.code, 0);
    const missing = await s.cliRaw(['keys', 'revoke', '00000000-0000-0000-0000-000000000000', '--json']);
    assert.equal(missing.code, 4, missing.stderr);
  });

  it('a 100 MB body gets 413 (16 MiB default limit) and the server keeps serving', async () => {
    assert.ok(ingestKey, 'needs the previous test');
    const before = rssOf(s.pid);
    const misses: string[] = [];
    for (const chunked of [false, true]) {
      // The server answers 413 and closes while the client is still sending, so the kernel may
      // reset the connection (EPIPE) before this client got to read the 413: that is TCP, not
      // Steward, and it happens in a few % of attempts. Such an attempt must still have been cut
      // off early; then try again.
      let r: HugeResult | undefined;
      for (let attempt = 1; attempt <= 8; attempt++) {
        r = await postHuge(s.url, ingestKey.secret, 100 * MiB, chunked);
        // It stopped reading well before the whole 100 MB went through.
        assert.ok(r.bytesSent < 64 * MiB, `chunked=${chunked}: sent ${r.bytesSent} bytes, ${JSON.stringify(r)}`);
        if (r.status !== undefined) break;
        assert.ok(
          r.socketError === 'EPIPE' || r.socketError === 'ECONNRESET',
          `chunked=${chunked}: ${JSON.stringify(r)}`,
        );
        misses.push(`chunked=${chunked}: ${r.socketError} after ${r.bytesSent} bytes`);
      }
      assert.equal(r!.status, 413, `chunked=${chunked}: ${JSON.stringify(r)}`);
      assert.equal(JSON.parse(r!.body).error.code, 'body_too_large');
      const ready = await fetch(new URL('/readyz', s.url));
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    }
    if (misses.length) console.log(`# 413 not read by the client (retried): ${misses.join('; ')}`);
    const afterRss = rssOf(s.pid);
    console.log(
      `# serve RSS: ${(before.rss / MiB).toFixed(0)} MiB before, ${(afterRss.rss / MiB).toFixed(0)} MiB after, peak ${(afterRss.peak / MiB).toFixed(0)} MiB`,
    );
    // At most the 16 MiB limit buffered (plus parser slack), never the 100 MB.
    assert.ok(
      afterRss.peak - before.peak < 64 * MiB,
      `peak RSS grew by ${((afterRss.peak - before.peak) / MiB).toFixed(1)} MiB`,
    );
    assert.ok(afterRss.rss < 256 * MiB, `RSS ${(afterRss.rss / MiB).toFixed(1)} MiB`);
    // Ingest still works.
    const before2 = await workspaceTotals(s);
    assert.equal((await postLogs(s, ingestKey.secret, batch(1600))).status, 200);
    assert.equal((await workspaceTotals(s)).turns, before2.turns + 1);
  });

  it('graceful shutdown: a batch acknowledged right before SIGTERM is there after restart', async () => {
    const before = await workspaceTotals(s);
    const r = await postLogs(s, ingestKey.secret, batch(3200));
    assert.equal(r.status, 200, await r.text());
    const stopped = await s.stop(); // SIGTERM the moment the ack is in
    assert.equal(stopped.code, 0);
    assert.equal((await s.start()).owner_key, null);
    const t = await workspaceTotals(s);
    assert.equal(t.turns, before.turns + 1);
    assert.equal(t.uncached_text_input_tokens, before.uncached_text_input_tokens + 3200);
  });

  it('graceful shutdown under load: every acknowledged batch survives, no refused batch is counted', async () => {
    const before = await workspaceTotals(s);
    // Batch i carries 2^i input tokens, so the stored total says exactly which batches landed.
    const N = 16;
    const bodies = Array.from({ length: N }, (_, i) => batch(2 ** i));
    let signalled = false;
    const outcomes = await Promise.all(
      bodies.map(async (b, i) => {
        try {
          const r = await postLogs(s, ingestKey.secret, b);
          await r.arrayBuffer();
          if (r.status === 200 && !signalled) {
            signalled = true;
            s.process.kill('SIGTERM');
          }
          return { i, status: r.status };
        } catch (e) {
          return { i, status: 0, error: String((e as Error).cause ?? e) };
        }
      }),
    );
    const exit = await s.kill('SIGTERM'); // already signalled; just wait for the exit
    assert.deepEqual(exit, { code: 0, signal: null }, `exit on SIGTERM under load\n${s.stderr().slice(-2000)}`);
    await s.start();
    const t = await workspaceTotals(s);
    const landed = t.uncached_text_input_tokens - before.uncached_text_input_tokens;
    const stored = new Set(Array.from({ length: N }, (_, i) => i).filter((i) => landed & (2 ** i)));
    assert.equal(t.turns - before.turns, stored.size, 'turns agree with the batches that landed');
    const acked = outcomes.filter((o) => o.status === 200).map((o) => o.i);
    assert.ok(acked.length >= 1);
    for (const i of acked) assert.ok(stored.has(i), `batch ${i} was acknowledged but is missing after restart`);
    for (const o of outcomes) {
      // Anything else must be a clean refusal (503 shutting down, 429 over the batch slots) or a
      // refused connection, and a refused batch must not have been stored behind the client's back.
      if (o.status === 200) continue;
      assert.ok([503, 429, 0].includes(o.status), `batch ${o.i}: unexpected ${JSON.stringify(o)}`);
      if (o.status) assert.ok(!stored.has(o.i), `batch ${o.i} got ${o.status} but was stored`);
    }
    const errors = [...new Set(outcomes.filter((o) => o.status === 0).map((o) => o.error))];
    console.log(
      `# shutdown under load: ${acked.length} acked, ${outcomes.filter((o) => o.status === 503).length} x 503, ${outcomes.filter((o) => o.status === 429).length} x 429, ${outcomes.filter((o) => o.status === 0).length} connection errors (${errors.join(' | ')}), ${stored.size} stored`,
    );
  });
});
