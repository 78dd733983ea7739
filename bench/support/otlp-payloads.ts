// Codex-shaped OTLP payloads for the ingest benchmark: the records of a real `codex exec` capture
// (21 records: startup phases, prompt, API requests, SSE events with token counts, tool decision and
// result), cloned per session with a new conversation id, time and exporter timestamps.
import fs from 'node:fs';
import path from 'node:path';
import { ExportLogsServiceRequest } from '../../src/ingest/otlp/schema.js';
import { prng } from './prng.js';

const TEMPLATE = JSON.parse(
  fs.readFileSync(
    path.join(
      path.dirname(new URL(import.meta.url).pathname),
      '..',
      '..',
      'test',
      'fixtures',
      'otlp',
      'exec-json.otel-logs.json',
    ),
    'utf8',
  ),
);

// Codex names a conversation by a UUIDv7 (docs/spec/codex-telemetry.md): its first 48 bits are the session's
// start in Unix ms, so ids sort by time and the keys built on them (turns, responses, the chain's
// thread index) grow at the end of their B-trees. `randomIds` draws those bits at random instead:
// the worst case for the indexes, which no real client produces.
function uuid(rnd: () => number, at: number, randomIds: boolean): string {
  const h = () =>
    Math.floor(rnd() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  const t = randomIds ? `${h()}${h()}${h()}` : Math.floor(at).toString(16).padStart(12, '0').slice(-12);
  return `${t.slice(0, 8)}-${t.slice(8)}-7${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}

// One session's resourceLogs entry, retimed to `at` with fresh ids.
export function session(rnd: () => number, at: number, randomIds = false): any {
  const conv = uuid(rnd, at, randomIds);
  const copy = JSON.parse(JSON.stringify(TEMPLATE.resourceLogs[0]));
  let offset = 0;
  for (const sl of copy.scopeLogs)
    for (const r of sl.logRecords) {
      offset += 7;
      r.observedTimeUnixNano = String(BigInt(at + offset) * 1_000_000n + BigInt(Math.floor(rnd() * 1e6)));
      for (const kv of r.attributes) {
        if (kv.key === 'conversation.id') kv.value.stringValue = conv;
        if (kv.key === 'event.timestamp') kv.value.stringValue = new Date(at + offset).toISOString();
        if (kv.key === 'call_id') kv.value.stringValue = `call_${conv}`;
      }
    }
  return copy;
}

export const RECORDS_PER_SESSION: number = TEMPLATE.resourceLogs[0].scopeLogs.reduce(
  (s: number, sl: any) => s + sl.logRecords.length,
  0,
);

// Bodies arrive in time order, as exporters send them: the sessions of one body lie within a few
// minutes of each other, and the run as a whole walks forward through the last 89 days.
export function buildBodies(
  count: number,
  sessionsPerBody: number,
  seed: number,
  format: 'json' | 'protobuf',
  randomIds = false,
): Buffer[] {
  const rnd = prng(seed);
  const start = Date.now() - 89 * 86_400_000;
  const step = (89 * 86_400_000) / count;
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const resourceLogs = [];
    for (let j = 0; j < sessionsPerBody; j++)
      resourceLogs.push(session(rnd, Math.floor(start + i * step + rnd() * 300_000), randomIds));
    const req = { resourceLogs };
    if (format === 'json') bodies.push(Buffer.from(JSON.stringify(req)));
    else
      bodies.push(
        Buffer.from(
          ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(jsonToProtoObject(req))).finish(),
        ),
      );
  }
  return bodies;
}

// OTLP/JSON uses hex ids and string int64s; protobufjs fromObject wants bytes for ids.
export function jsonToProtoObject(req: any): any {
  for (const rl of req.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords) {
        r.traceId = Buffer.from(r.traceId ?? '', 'hex');
        r.spanId = Buffer.from(r.spanId ?? '', 'hex');
        if (r.body === null) delete r.body;
      }
  return req;
}
