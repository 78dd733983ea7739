// An endless stream of distinct Codex-shaped OTLP protobuf bodies for long load runs. A run of ten
// minutes needs tens of thousands of distinct bodies (a replayed body is a cheap duplicate, not
// ingest), too many to build ahead (~100 KB each) and too costly to encode one by one on the
// machine the server runs on. So a few bodies are encoded once and each next() is a copy of one
// with fresh conversation ids written over the old ones: an id is a fixed-length string, so the
// protobuf lengths around it stay valid. The facts' natural keys start with the conversation id
// (decisions/0003), so every body is new ingest; its token counts are the template's.
import crypto from 'node:crypto';
import { ExportLogsServiceRequest } from '../../src/ingest/otlp/schema.js';
import { prng } from './prng.js';
import { jsonToProtoObject, RECORDS_PER_SESSION, session } from './otlp-payloads.js';

export interface OtlpStream {
  next(): Buffer;
  readonly recordsPerBody: number;
  readonly sessionsPerBody: number;
  /** Input, cached and output tokens of one session, summed from the template's own records. */
  readonly sessionTokens: { input: number; cached: number; output: number };
}

const ID_LENGTH = 36;

export function otlpStream(sessionsPerBody: number, seed: number, templates = 8): OtlpStream {
  const rnd = prng(seed);
  const now = Date.now();
  const built = Array.from({ length: templates }, (_, t) => {
    const resourceLogs = Array.from({ length: sessionsPerBody }, (_, j) =>
      session(rnd, now - 3_600_000 + (t * sessionsPerBody + j) * 1000),
    );
    const ids = resourceLogs.map((rl) => conversationId(rl));
    const body = Buffer.from(
      ExportLogsServiceRequest.encode(
        ExportLogsServiceRequest.fromObject(jsonToProtoObject({ resourceLogs })),
      ).finish(),
    );
    // Every place each id is written (its records' conversation.id and call_id attributes).
    const at = ids.map((id) => {
      const needle = Buffer.from(id);
      const found: number[] = [];
      for (let i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + ID_LENGTH)) found.push(i);
      return found;
    });
    return { body, at };
  });
  const sessionTokens = tokensOf(session(prng(1), now));
  let n = 0;
  return {
    recordsPerBody: sessionsPerBody * RECORDS_PER_SESSION,
    sessionsPerBody,
    sessionTokens,
    next() {
      const t = built[n++ % built.length]!;
      const body = Buffer.from(t.body);
      for (const places of t.at) {
        const id = Buffer.from(freshId());
        for (const i of places) id.copy(body, i);
      }
      return body;
    },
  };
}

// A UUIDv7 as Codex makes them: the time in the first 48 bits, then random bits.
function freshId(): string {
  const t = Date.now().toString(16).padStart(12, '0').slice(-12);
  const r = crypto.randomBytes(10).toString('hex');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${r.slice(0, 3)}-8${r.slice(3, 6)}-${r.slice(6, 18)}`;
}

function conversationId(resourceLog: any): string {
  for (const sl of resourceLog.scopeLogs)
    for (const r of sl.logRecords)
      for (const kv of r.attributes) if (kv.key === 'conversation.id') return kv.value.stringValue;
  throw new Error('template session without conversation.id');
}

// The counted records: `response.completed` with input_token_count (decisions/0003).
function tokensOf(resourceLog: any) {
  const sum = { input: 0, cached: 0, output: 0 };
  for (const sl of resourceLog.scopeLogs)
    for (const r of sl.logRecords) {
      const a = Object.fromEntries(r.attributes.map((kv: any) => [kv.key, String(Object.values(kv.value)[0])]));
      if (a['event.kind'] !== 'response.completed' || a.input_token_count === undefined) continue;
      sum.input += Number(a.input_token_count);
      sum.cached += Math.min(Number(a.cached_token_count ?? 0), Number(a.input_token_count));
      sum.output += Number(a.output_token_count ?? 0);
    }
  return sum;
}
