// The usage-only normalizer against normalizeLine: on every line of every fixture, and on each
// field of those lines set to a wrong type, an out-of-bound count or removed, it either declines
// (undefined: the line goes through normalizeLine) or makes exactly normalizeLine's facts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { it } from 'node:test';
import { normalizeLine } from '../normalize.js';
import type { Obj } from './facts.js';
import { normalizeUsageLine } from './usage-lines.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.jsonl(\.gz)?$/.test(n) ? [p] : [];
  });
}

function fixtureLines(): Obj[] {
  const out: Obj[] = [];
  for (const f of files('test/fixtures/rollouts')) {
    const bytes = readFileSync(f);
    const text = (f.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    for (const l of text.split('\n')) {
      try {
        const v = JSON.parse(l) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Obj);
      } catch {
        // not a line of JSON: the decoder's business, not the normalizer's
      }
    }
  }
  return out;
}

const kindOf = (v: Obj) => {
  const p = v.payload as Obj | undefined;
  return v.type === 'event_msg' ? `event_msg:${String(p?.type)}` : String(v.type);
};

function same(v: Obj, where: string): boolean {
  const fast = normalizeUsageLine(structuredClone(v));
  if (fast === undefined) return false;
  assert.deepStrictEqual(fast, normalizeLine(structuredClone(v)), where);
  return true;
}

// Paths to every field of a line's first three levels (not into long arrays).
function paths(v: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (depth >= 4 || !v || typeof v !== 'object' || (Array.isArray(v) && v.length > 4)) return [];
  return Object.entries(v).flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k], depth + 1)]);
}

function withField(v: Obj, path: string[], value: unknown): Obj {
  const c = structuredClone(v);
  let o = c as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === REMOVE) delete o[last];
  else o[last] = value;
  return c;
}

const REMOVE = Symbol('remove');
const VARIANTS: unknown[] = [REMOVE, null, 'x', '', 7, -1, 1.5, 1e300, 2 ** 53, true, [], [1], {}, { type: 'x' }];

it('makes normalizeLine facts for every fixture line it takes, and takes every kind the report keeps', () => {
  const lines = fixtureLines();
  const taken = new Map<string, number>();
  for (const [i, v] of lines.entries()) if (same(v, `line ${i}`)) taken.set(kindOf(v), (taken.get(kindOf(v)) ?? 0) + 1);
  for (const kind of [
    'session_meta',
    'turn_context',
    'token_usage_record',
    'event_msg:token_count',
    'event_msg:task_started',
    'event_msg:task_complete',
    'event_msg:user_message',
    'event_msg:thread_settings_applied',
    'event_msg:item_completed',
  ])
    assert.ok(taken.get(kind), `no ${kind} line taken: ${JSON.stringify([...taken])}`);
  // What it declines is what normalizeLine gives facts of its own (or an older shape).
  const OWN = ['agent_message', 'agent_reasoning', 'item_completed', 'exec_command_end', 'patch_apply_end'];
  const OWN2 = ['mcp_tool_call_end', 'entered_review_mode', 'exited_review_mode'];
  const declinedOk = new Set([
    ...['response_item', 'compacted', 'world_state', 'security_risk_score', 'retained_context'],
    ...['dynamic_tools_updated', 'realtime_item', 'inter_agent_communication', 'inter_agent_communication_metadata'],
    ...[...OWN, ...OWN2].map((t) => `event_msg:${t}`),
  ]);
  for (const v of lines)
    if (normalizeUsageLine(v) === undefined)
      assert.ok(
        declinedOk.has(kindOf(v)) || v.payload === undefined,
        `declined ${kindOf(v)}: ${JSON.stringify(v).slice(0, 300)}`,
      );
});

it('declines or agrees with normalizeLine when any field has a wrong type or an implausible value', () => {
  const seen = new Map<string, number>();
  let agreed = 0;
  let declined = 0;
  for (const v of fixtureLines()) {
    if (normalizeUsageLine(v) === undefined) continue;
    const k = kindOf(v);
    if ((seen.get(k) ?? 0) >= 3) continue; // three lines of each kind, every field of them
    seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const p of paths(v))
      for (const x of VARIANTS) {
        if (same(withField(v, p, x), `${k} ${p.join('.')} = ${String(x)}`)) agreed++;
        else declined++;
      }
  }
  assert.ok(agreed > 100 && declined > 100, `${agreed} agreed, ${declined} declined`);
});
