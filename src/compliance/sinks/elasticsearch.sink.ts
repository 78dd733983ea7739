// Elasticsearch bulk API: one `create` per record with _id = record id, so a batch sent twice
// (after a timeout, a restart) lands once: the repeats come back 409 and count as delivered.
import type { SinkConfig } from '../../config/compliance.schema.js';
import { ecsDocument } from './ecs.js';
import { post, type HttpOptions } from './http.js';
import { parsed, type SendOutcome, type Sink, type SinkRecord } from './types.js';

type Cfg = Extract<SinkConfig, { type: 'elasticsearch' }>;

export function bulkBody(batch: readonly SinkRecord[], index: string): string {
  let out = '';
  for (const r of batch)
    out +=
      `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(r.rec.id)}}}\n` +
      `${JSON.stringify(ecsDocument(r.rec, parsed(r)))}\n`;
  return out;
}

interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string };
}

export function bulkOutcome(status: number, body: string): SendOutcome {
  if (status < 200 || status >= 300) {
    const error = `HTTP ${status}: ${body.slice(0, 300)}`;
    return status === 400 || status === 413
      ? { ok: false, retryable: false, error }
      : { ok: false, retryable: true, error };
  }
  let res: { errors?: boolean; items?: Record<string, BulkItem>[] };
  try {
    res = JSON.parse(body);
  } catch {
    return { ok: false, retryable: true, error: 'bulk response is not JSON' };
  }
  if (!res.errors) return { ok: true };
  const rejected: number[] = [];
  let retry: string | undefined;
  (res.items ?? []).forEach((item, i) => {
    const it = Object.values(item)[0] ?? {};
    const s = it.status ?? 0;
    if ((s >= 200 && s < 300) || s === 409) return; // 409: already there (a repeat)
    if (s === 429 || s >= 500) retry ??= `item ${i}: HTTP ${s} ${it.error?.reason ?? ''}`;
    else rejected.push(i);
  });
  if (retry) return { ok: false, retryable: true, error: retry };
  if (rejected.length)
    return { ok: false, retryable: false, error: `Elasticsearch refused ${rejected.length} document(s)`, rejected };
  return { ok: true };
}

export function elasticsearchSink(cfg: Cfg): Sink {
  const url = cfg.url.replace(/\/$/, '') + '/_bulk';
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (cfg.api_key) headers.authorization = `ApiKey ${cfg.api_key}`;
  else if (cfg.username)
    headers.authorization = `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64')}`;
  const o: HttpOptions = {
    timeoutMs: cfg.timeout_ms,
    caFile: cfg.ca_file,
    insecureSkipVerify: cfg.insecure_skip_verify,
  };
  return {
    name: cfg.name,
    type: cfg.type,
    async send(batch) {
      try {
        const r = await post(url, bulkBody(batch, cfg.index), headers, o);
        return bulkOutcome(r.status, r.body);
      } catch (e) {
        return { ok: false, retryable: true, error: (e as Error).message };
      }
    },
    close: async () => {},
  };
}
