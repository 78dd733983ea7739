// Splunk HTTP Event Collector: POST /services/collector/event with "Authorization: Splunk <token>",
// one event object per record, concatenated. Records keep their JSON as the event body.
import os from 'node:os';
import type { SinkConfig } from '../../config/compliance.schema.js';
import { postOutcome } from './http.js';
import type { Sink, SinkRecord } from './types.js';

type Cfg = Extract<SinkConfig, { type: 'splunk_hec' }>;

export function hecEndpoint(url: string): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/services/collector/event';
  return u.toString();
}

export function hecBody(
  batch: readonly SinkRecord[],
  cfg: Pick<Cfg, 'index' | 'source' | 'sourcetype'>,
  host = os.hostname(),
): string {
  const fixed =
    `,"host":${JSON.stringify(host)},"source":${JSON.stringify(cfg.source)},` +
    `"sourcetype":${JSON.stringify(cfg.sourcetype)}${cfg.index ? `,"index":${JSON.stringify(cfg.index)}` : ''}`;
  return batch
    .map(
      (r) =>
        `{"time":${(r.rec.ts / 1000).toFixed(3)}${fixed},` +
        `"fields":{"event_type":${JSON.stringify(r.rec.event_type)},"record_id":${JSON.stringify(r.rec.id)}},` +
        `"event":${r.line}}`,
    )
    .join('\n');
}

export function splunkHecSink(cfg: Cfg): Sink {
  const url = hecEndpoint(cfg.url);
  return {
    name: cfg.name,
    type: cfg.type,
    send: (batch) =>
      postOutcome(
        url,
        hecBody(batch, cfg),
        { 'content-type': 'application/json', authorization: `Splunk ${cfg.token}` },
        { timeoutMs: cfg.timeout_ms, caFile: cfg.ca_file, insecureSkipVerify: cfg.insecure_skip_verify },
      ),
    close: async () => {},
  };
}
