// One HTTP(S) POST with a timeout and optional TLS trust settings (node:https directly, so a
// private CA or a self-signed test certificate can be configured per sink).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { SendOutcome } from './types.js';

export interface HttpOptions {
  timeoutMs: number;
  caFile?: string;
  insecureSkipVerify?: boolean;
}

export interface HttpResponse {
  status: number;
  body: string;
}

const agents = new Map<string, http.Agent>();

function agentFor(url: URL, o: HttpOptions): http.Agent {
  const key = `${url.protocol}|${o.caFile ?? ''}|${o.insecureSkipVerify ? 1 : 0}`;
  let a = agents.get(key);
  if (!a) {
    a =
      url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ca: o.caFile ? fs.readFileSync(o.caFile) : undefined,
            rejectUnauthorized: !o.insecureSkipVerify,
          })
        : new http.Agent({ keepAlive: true });
    agents.set(key, a);
  }
  return a;
}

export function post(
  urlString: string,
  body: string | Buffer,
  headers: Record<string, string>,
  o: HttpOptions,
): Promise<HttpResponse> {
  const url = new URL(urlString);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: agentFor(url, o),
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: o.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// The usual mapping of an HTTP answer: 2xx accepted; 408, 429, 5xx, and 401/403/404 (a receiver
// or credential problem, not a bad record) retried; other 4xx refused for good.
export function outcomeOf(r: HttpResponse): SendOutcome {
  if (r.status >= 200 && r.status < 300) return { ok: true };
  const error = `HTTP ${r.status}: ${r.body.slice(0, 300)}`;
  if (
    r.status === 408 ||
    r.status === 429 ||
    r.status >= 500 ||
    r.status === 401 ||
    r.status === 403 ||
    r.status === 404 ||
    r.status === 0
  )
    return { ok: false, retryable: true, error };
  return { ok: false, retryable: false, error };
}

export async function postOutcome(
  url: string,
  body: string,
  headers: Record<string, string>,
  o: HttpOptions,
): Promise<SendOutcome> {
  try {
    return outcomeOf(await post(url, body, headers, o));
  } catch (e) {
    return { ok: false, retryable: true, error: (e as Error).message };
  }
}
