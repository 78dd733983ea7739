// Generic HTTPS webhook: POST NDJSON (one record a line), signed like this so the receiver can
// check origin and freshness:
//   X-Steward-Timestamp: <unix seconds>
//   X-Steward-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
import crypto from 'node:crypto';
import type { SinkConfig } from '../../config/compliance.schema.js';
import { postOutcome } from './http.js';
import type { Sink } from './types.js';

type Cfg = Extract<SinkConfig, { type: 'webhook' }>;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function webhookSink(cfg: Cfg): Sink {
  return {
    name: cfg.name,
    type: cfg.type,
    send(batch) {
      const body = batch.map((r) => r.line).join('\n') + '\n';
      const ts = String(Math.floor(Date.now() / 1000));
      const headers = {
        ...cfg.headers,
        'content-type': 'application/x-ndjson',
        'x-steward-timestamp': ts,
        'x-steward-signature': webhookSignature(cfg.secret, ts, body),
        'x-steward-records': `${batch[0].rec.workspace_id}:${batch[0].rec.seq}-${batch[batch.length - 1].rec.seq}`,
      };
      return postOutcome(cfg.url, body, headers, {
        timeoutMs: cfg.timeout_ms,
        caFile: cfg.ca_file,
        insecureSkipVerify: cfg.insecure_skip_verify,
      });
    },
    close: async () => {},
  };
}
