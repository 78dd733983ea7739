// Reads OTLP/JSON fixtures and computes ground truth from them independently of src/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

type Attr = { key: string; value: Record<string, unknown> };
export function loadOtlp(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'otlp', name), 'utf8'));
}

export function* records(payload: any): Generator<Record<string, unknown>> {
  for (const rl of payload.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const r of sl.logRecords ?? []) {
        const a: Record<string, unknown> = {};
        for (const kv of (r.attributes ?? []) as Attr[]) a[kv.key] = Object.values(kv.value)[0];
        yield a;
      }
}

export interface Truth {
  threads: Set<string>;
  turns: number;
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  byModel: Map<string, { input: number; cached: number; output: number }>;
}

export function truthOf(payloads: any[]): Truth {
  const t: Truth = { threads: new Set(), turns: 0, input: 0, cached: 0, output: 0, reasoning: 0, byModel: new Map() };
  for (const p of payloads)
    for (const a of records(p)) {
      if (
        a['event.name'] === 'codex.user_prompt' &&
        !String(a.prompt ?? '').startsWith('Generate a concise, single-line task title')
      ) {
        t.turns++;
        t.threads.add(String(a['conversation.id']));
      }
      if (
        a['event.name'] === 'codex.sse_event' &&
        a['event.kind'] === 'response.completed' &&
        a.input_token_count !== undefined
      ) {
        const i = Number(a.input_token_count),
          c = Number(a.cached_token_count ?? 0),
          o = Number(a.output_token_count),
          r = Number(a.reasoning_token_count ?? 0);
        t.input += i;
        t.cached += c;
        t.output += o;
        t.reasoning += r;
        const m = t.byModel.get(String(a.model)) ?? { input: 0, cached: 0, output: 0 };
        m.input += i;
        m.cached += c;
        m.output += o;
        t.byModel.set(String(a.model), m);
      }
    }
  return t;
}

// Moves every event.timestamp by the same offset so the first lands at `to` (keeps fixtures inside the lookback).
export function shiftTimes(payload: any, to: number): any {
  const copy = JSON.parse(JSON.stringify(payload));
  let first = Infinity;
  for (const a of records(copy))
    if (typeof a['event.timestamp'] === 'string') first = Math.min(first, Date.parse(a['event.timestamp'] as string));
  const delta = to - first;
  for (const rl of copy.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const r of sl.logRecords ?? [])
        for (const kv of r.attributes ?? [])
          if (kv.key === 'event.timestamp')
            kv.value.stringValue = new Date(Date.parse(kv.value.stringValue) + delta).toISOString();
  return copy;
}

export interface SynthRecord {
  conv: string;
  ts: number;
  kind: 'prompt' | 'response';
  model?: string;
  originator?: string;
  input?: number;
  cached?: number;
  output?: number;
  reasoning?: number;
  email?: string;
}

let seq = 0;
// Builds a Codex-shaped OTLP/JSON payload (same attribute types as 0.169 sends).
export function synthPayload(recs: SynthRecord[]): any {
  const s = (v: string) => ({ stringValue: v });
  const logRecords = recs.map((r) => {
    const common = [
      { key: 'event.timestamp', value: s(new Date(r.ts).toISOString()) },
      { key: 'conversation.id', value: s(r.conv) },
      { key: 'app.version', value: s('0.169.0') },
      { key: 'originator', value: s(r.originator ?? 'codex_exec') },
      { key: 'model', value: s(r.model ?? 'gpt-5.5') },
      ...(r.email ? [{ key: 'user.email', value: s(r.email) }] : []),
    ];
    const attrs =
      r.kind === 'prompt'
        ? [
            { key: 'event.name', value: s('codex.user_prompt') },
            { key: 'prompt', value: s('do the thing') },
            { key: 'prompt_length', value: s('12') },
            ...common,
          ]
        : [
            { key: 'event.name', value: s('codex.sse_event') },
            { key: 'event.kind', value: s('response.completed') },
            { key: 'input_token_count', value: s(String(r.input ?? 0)) },
            { key: 'output_token_count', value: s(String(r.output ?? 0)) },
            { key: 'cached_token_count', value: { intValue: String(r.cached ?? 0) } },
            { key: 'reasoning_token_count', value: { intValue: String(r.reasoning ?? 0) } },
            ...common,
          ];
    return {
      timeUnixNano: '0',
      observedTimeUnixNano: String(BigInt(r.ts) * 1_000_000n + BigInt(++seq)),
      severityNumber: 9,
      severityText: 'INFO',
      body: null,
      attributes: attrs,
    };
  });
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: s('codex_exec') },
            { key: 'host.name', value: s('test') },
          ],
        },
        scopeLogs: [{ scope: { name: 'codex_otel.log_only' }, logRecords }],
      },
    ],
  };
}
