// Minimal OTLP/HTTP receiver: stores every POST verbatim so the harness can be
// checked against the real Codex exporter without Steward in the loop.
import http from 'node:http';
import { listenOnLoopback } from '../../support/listen.js';

export interface SinkRequest {
  /** e.g. `/v1/logs`, `/v1/traces`, `/v1/metrics`. */
  path: string;
  headers: http.IncomingHttpHeaders;
  contentType: string;
  body: Buffer;
}

export interface OtlpSink {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** `${origin}/v1/logs`, what goes into `[otel] exporter.otlp-http.endpoint`. */
  readonly logsUrl: string;
  readonly requests: SinkRequest[];
  /** Requests posted to /v1/logs only. */
  logs(): SinkRequest[];
  /** Resolve once `pred` holds (Codex flushes at exit, but the POST may land just after). */
  waitFor(pred: (reqs: SinkRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  clear(): void;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const requests: SinkRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method === 'POST') {
        requests.push({
          path: (req.url ?? '/').split('?')[0],
          headers: req.headers,
          contentType,
          body: Buffer.concat(chunks),
        });
      }
      // An empty Export*ServiceResponse is valid in both encodings.
      if (contentType.includes('protobuf')) {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
  });
  server.keepAliveTimeout = 1000;
  const { origin } = await listenOnLoopback(server);

  return {
    origin,
    logsUrl: `${origin}/v1/logs`,
    requests,
    logs: () => requests.filter((r) => r.path === '/v1/logs'),
    async waitFor(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(requests)) {
        if (Date.now() > deadline)
          throw new Error(`otlp-sink: condition not met within ${timeoutMs} ms (${requests.length} requests)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    clear: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- OTLP/JSON helpers -------------------------------------------------------

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};

export type AttrValue = string | number | boolean | null | AttrValue[];

/** A log record with its attributes flattened to a plain object. */
export interface FlatLogRecord {
  /** The `event.name` attribute (Codex puts a source location in OTLP's own eventName). */
  eventName: string | undefined;
  attrs: Record<string, AttrValue>;
  resource: Record<string, AttrValue>;
  scope: string | undefined;
}

function anyValue(v: AnyValue | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  // OTLP/JSON encodes int64 as a string.
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  return null;
}

function attrMap(list: { key: string; value?: AnyValue }[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const a of list ?? []) out[a.key] = anyValue(a.value);
  return out;
}

/** Flatten one OTLP/JSON ExportLogsServiceRequest body. */
export function flattenOtlpJsonLogs(body: Buffer | string): FlatLogRecord[] {
  const j = JSON.parse(body.toString()) as {
    resourceLogs?: {
      resource?: { attributes?: { key: string; value?: AnyValue }[] };
      scopeLogs?: { scope?: { name?: string }; logRecords?: { attributes?: { key: string; value?: AnyValue }[] }[] }[];
    }[];
  };
  const out: FlatLogRecord[] = [];
  for (const rl of j.resourceLogs ?? []) {
    const resource = attrMap(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const lr of sl.logRecords ?? []) {
        const attrs = attrMap(lr.attributes);
        const name = attrs['event.name'];
        out.push({ eventName: typeof name === 'string' ? name : undefined, attrs, resource, scope: sl.scope?.name });
      }
    }
  }
  return out;
}
