// Broken servers for the crash harness's self-test (test/e2e/crash-harness.e2e.test.ts): an HTTP
// front that the senders talk to instead of `steward serve`, breaking one promise of ingest while
// passing everything else through. The harness must fail on each, or it could not tell a server
// that loses or doubles acknowledged data from one that does not.
//   ack-before-commit: answers 200 at once and forwards the request afterwards, once, without
//     waiting (what a server that acknowledged before its commit would do): a kill loses batches.
//   double-count: forwards each OTLP batch, then a copy whose exporter timestamps are moved by 1 ns
//     (what a server whose natural keys ignored a replay would store): every batch counts twice.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'ack-before-commit' | 'double-count';

export interface Front {
  url: string;
  close(): Promise<void>;
}

export async function faultyFront(fault: Fault, target: () => string): Promise<Front> {
  const forward = (path: string, headers: http.IncomingHttpHeaders, body: Buffer) =>
    fetch(`${target()}${path}`, {
      method: 'POST',
      headers: { authorization: String(headers.authorization), 'content-type': String(headers['content-type']) },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(10_000),
    });
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    try {
      if (fault === 'ack-before-commit') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        await forward(path, req.headers, body).then((r) => r.arrayBuffer());
        return;
      }
      const r = await forward(path, req.headers, body);
      const text = await r.text();
      if (r.status === 200 && path === '/v1/logs') {
        const copy = await forward(path, req.headers, shiftObservedTimes(body));
        await copy.arrayBuffer();
      }
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(text);
    } catch {
      if (!res.headersSent) res.writeHead(503).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function shiftObservedTimes(body: Buffer): Buffer {
  const doc = JSON.parse(body.toString('utf8'));
  for (const rl of doc.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const r of sl.logRecords ?? []) r.observedTimeUnixNano = String(BigInt(r.observedTimeUnixNano ?? 0) + 1n);
  return Buffer.from(JSON.stringify(doc));
}
