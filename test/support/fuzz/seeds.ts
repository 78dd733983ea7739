// Real captures the fuzz targets mutate: the OTLP records of the fixtures that carry facts (noise
// records are cut so that a mutation lands on something the normalizer reads), the lines of the 0.169
// session files, and GitHub's example webhook payloads.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ExportLogsServiceRequest } from '../../../src/ingest/otlp/schema.js';
import { example } from '../github.js';
import { FIXTURES, loadOtlp, shiftTimes } from '../otlp.js';

const FACT_EVENTS = new Set([
  'codex.conversation_starts',
  'codex.user_prompt',
  'codex.sse_event',
  'codex.tool_decision',
  'codex.tool_result',
]);

function factsOnly(payload: any): any {
  for (const rl of payload.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      sl.logRecords = (sl.logRecords ?? []).filter((r: any) =>
        (r.attributes ?? []).some((kv: any) => kv.key === 'event.name' && FACT_EVENTS.has(kv.value?.stringValue)),
      );
  return payload;
}

/** OTLP/JSON payloads (fact records only, times moved into the last day). */
export function otlpSeeds(): any[] {
  const names = ['exec-json.otel-logs.json', 'review.otel-logs.json', 'tui.otel-logs.json'];
  return names.map((n) => factsOnly(shiftTimes(loadOtlp(n), Date.now() - 6 * 3600_000)));
}

/** The same payloads as protobuf bytes, plus the real protobuf capture. */
export function otlpProtobufSeeds(json: any[]): Buffer[] {
  const encoded = json.map((p) =>
    Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(p)).finish()),
  );
  return [...encoded, fs.readFileSync(path.join(FIXTURES, 'otlp', 'exec-binary.otel-logs.pb'))];
}

/** Every line of the 0.169 session-file captures, parsed. */
export function rolloutLineSeeds(): unknown[] {
  const root = path.join(FIXTURES, 'rollouts', '0.169');
  const out: unknown[] = [];
  const files = fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.jsonl(\.gz)?$/.test(f))
    .sort();
  for (const f of files) {
    const raw = fs.readFileSync(path.join(root, f));
    const text = (f.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
    for (const l of text.split('\n')) if (l.trim()) out.push(JSON.parse(l));
  }
  return out;
}

/** GitHub example deliveries the receiver handles: [event header, payload]. */
export function webhookSeeds(): [string, unknown][] {
  return [
    ['pull_request_review', example('pull_request_review', 'submitted')],
    ['pull_request_review_comment', example('pull_request_review_comment', 'created')],
    ['pull_request_review_comment', example('pull_request_review_comment', 'edited')],
    ['issue_comment', example('issue_comment', 'created')],
    ['ping', example('ping')],
  ];
}
