// Loopback SIEM receivers written for the tests, each shaped like the real thing: a Splunk HEC
// endpoint (token checked), an Elasticsearch _bulk endpoint (create by _id, 409 on repeats, can
// refuse a poisoned document), a syslog RFC 5424 TCP listener (octet counting), and a webhook that
// checks the HMAC. Each can go down and come back on the same port, and records every record id
// it received (repeats included) and which deliveries it never acknowledged.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { listenOnLoopback } from './listen.js';

export interface TlsFiles {
  key: string;
  cert: string;
  caFile: string;
}

// A self-signed certificate for 127.0.0.1 (openssl), so sinks can verify it against ca_file.
export function selfSignedCert(): TlsFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8'), caFile: cert };
}

export interface Receiver {
  name: string;
  url: string;
  port: number;
  ids: string[]; // every record id received, in arrival order, repeats included
  unacked: Set<string>; // ids of deliveries whose answer the sender never got
  requests: number;
  down(): Promise<void>; // stop listening and drop connections
  up(): Promise<void>; // listen again on the same port
  close(): Promise<void>;
}

type Handler = (body: string, req: http.IncomingMessage, res: http.ServerResponse, r: Receiver) => void;

async function httpReceiver(
  name: string,
  urlPath: string,
  handle: Handler,
  tlsFiles?: TlsFiles,
): Promise<Receiver & { mode: 'ok' | 'fail503' | 'dropAck' }> {
  let server: http.Server;
  const make = () => {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        r.requests++;
        if (req.url !== urlPath) return void res.writeHead(404).end();
        if (r.mode === 'fail503') return void res.writeHead(503).end('{"text":"Server is busy","code":9}');
        handle(Buffer.concat(chunks).toString('utf8'), req, res, r);
      });
    };
    return tlsFiles
      ? https.createServer({ key: tlsFiles.key, cert: tlsFiles.cert }, onRequest)
      : http.createServer(onRequest);
  };
  const listen = async (port: number) => (await listenOnLoopback((server = make()), port)).port;
  const r = {
    name,
    url: '',
    port: 0,
    ids: [] as string[],
    unacked: new Set<string>(),
    requests: 0,
    mode: 'ok' as 'ok' | 'fail503' | 'dropAck',
    async down() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async up() {
      await listen(r.port);
    },
    async close() {
      await r.down().catch(() => {});
    },
  };
  r.port = await listen(0);
  r.url = `${tlsFiles ? 'https' : 'http'}://127.0.0.1:${r.port}`;
  return r;
}

// Accepts, but the answer never reaches the sender (the connection drops): a lost acknowledgement.
function dropAck(r: Receiver, ids: string[], res: http.ServerResponse): boolean {
  const m = r as Receiver & { mode?: string };
  if (m.mode !== 'dropAck') return false;
  m.mode = 'ok';
  for (const id of ids) r.unacked.add(id);
  res.socket?.destroy();
  return true;
}

export function hecReceiver(token: string) {
  return httpReceiver('splunk_hec', '/services/collector/event', (body, req, res, r) => {
    if (req.headers.authorization !== `Splunk ${token}`)
      return void res.writeHead(401).end('{"text":"Invalid authorization","code":3}');
    const events = body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    if (events.some((e) => typeof e.time !== 'number' || !e.event?.id))
      return void res.writeHead(400).end('{"text":"Invalid data format","code":6}');
    const ids = events.map((e) => e.event.id as string);
    r.ids.push(...ids);
    if (dropAck(r, ids, res)) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
  });
}

export async function elasticReceiver() {
  const docs = new Map<string, any>();
  const rec = await httpReceiver('elasticsearch', '/_bulk', (body, req, res, r) => {
    if (!String(req.headers['content-type']).startsWith('application/x-ndjson')) return void res.writeHead(400).end();
    const lines = body.split('\n').filter(Boolean);
    const items = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]).create;
      const doc = JSON.parse(lines[i + 1]);
      r.ids.push(action._id);
      if (doc.steward?.content?.poison)
        items.push({
          create: {
            _id: action._id,
            status: 400,
            error: { type: 'mapper_parsing_exception', reason: 'poisoned test document' },
          },
        });
      else if (docs.has(action._id))
        items.push({ create: { _id: action._id, status: 409, error: { type: 'version_conflict_engine_exception' } } });
      else {
        docs.set(action._id, doc);
        items.push({ create: { _id: action._id, status: 201 } });
      }
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ took: 1, errors: items.some((x) => x.create.status !== 201), items }));
  });
  return Object.assign(rec, { docs });
}

export async function webhookReceiver(secret: string, tlsFiles?: TlsFiles) {
  const bad = { badSignatures: 0 };
  const rec = await httpReceiver(
    'webhook',
    '/hook',
    (body, req, res, r) => {
      const ts = String(req.headers['x-steward-timestamp']);
      const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
      const got = String(req.headers['x-steward-signature'] ?? '');
      if (
        got.length !== expected.length ||
        !crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected)) ||
        Math.abs(Date.now() / 1000 - Number(ts)) > 300
      ) {
        bad.badSignatures++;
        return void res.writeHead(401).end();
      }
      const ids = body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id as string);
      r.ids.push(...ids);
      if (dropAck(r, ids, res)) return;
      res.writeHead(204).end();
    },
    tlsFiles,
  );
  // Read live by the tests: a getter over the handler's count.
  return Object.defineProperty(rec, 'badSignatures', {
    get: () => bad.badSignatures,
    enumerable: true,
  }) as typeof rec & { readonly badSignatures: number };
}

export async function syslogReceiver(tlsFiles?: TlsFiles): Promise<Receiver & { messages: string[] }> {
  let server: net.Server;
  const sockets = new Set<net.Socket>();
  const make = () => {
    const onSocket = (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      let buf = Buffer.alloc(0);
      s.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const sp = buf.indexOf(0x20);
          if (sp < 0) break;
          const len = Number(buf.subarray(0, sp).toString());
          if (buf.length < sp + 1 + len) break;
          const msg = buf.subarray(sp + 1, sp + 1 + len).toString('utf8');
          buf = buf.subarray(sp + 1 + len);
          r.messages.push(msg);
          const m =
            /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[steward@32473 id="([^"]+)" seq="(\d+)"[^\]]*\] (\{.*\})$/s.exec(
              msg,
            );
          if (!m) throw new Error(`not RFC 5424 as expected: ${msg.slice(0, 200)}`);
          if (JSON.parse(m[9]).id !== m[7]) throw new Error('structured data and message disagree');
          r.ids.push(m[7]);
        }
      });
      s.on('error', () => {});
    };
    return tlsFiles
      ? tls.createServer({ key: tlsFiles.key, cert: tlsFiles.cert }, onSocket)
      : net.createServer(onSocket);
  };
  const listen = async (port: number) => (await listenOnLoopback((server = make()), port)).port;
  const r = {
    name: 'syslog',
    url: '',
    port: 0,
    ids: [] as string[],
    unacked: new Set<string>(),
    requests: 0,
    messages: [] as string[],
    async down() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    async up() {
      await listen(r.port);
    },
    async close() {
      await r.down().catch(() => {});
    },
  };
  r.port = await listen(0);
  r.url = `tcp://127.0.0.1:${r.port}`;
  return r;
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// First occurrences, in order: what a receiver has after deduplicating by record id.
export const dedupe = (ids: string[]) => [...new Set(ids)];
