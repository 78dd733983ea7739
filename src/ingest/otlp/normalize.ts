// One OTLP log record -> a normalized event, `null` (valid but carries nothing we count), or a
// typed drop (invalid: reported back to the exporter in partialSuccess).
import { drop, type Drop, type NormalizedEvent, type Observation } from '../../core/events.js';
import type { OtlpLogRecord } from './decode.js';
import { attrBool, attrInt, attrString } from './attributes.js';
import { isFactEvent, isKnownEvent, isNoise } from './relevance.js';
import { createHash } from 'node:crypto';
import { idProblem, MAX_INT32, timeProblem, tokenProblem } from '../../core/bounds.js';

// The TUI starts a hidden thread that asks the model for a title; its prompt starts like this.
const TITLE_PROMPT_PREFIX = 'Generate a concise, single-line task title';

// The record's time: `event.timestamp` (what Codex sets), else timeUnixNano, else
// observedTimeUnixNano (OTLP: the event's own time first, then when a collector saw it). Undefined
// when the record has none: it is then stored at its arrival time and keyed by its content.
export function eventTime(r: OtlpLogRecord): number | undefined {
  const ts = attrString(r.attrs, 'event.timestamp');
  if (ts) {
    const ms = Date.parse(ts);
    if (Number.isFinite(ms)) return ms;
  }
  for (const nano of [r.timeUnixNano, r.observedTimeUnixNano]) {
    if (nano && /^\d+$/.test(nano) && !/^0+$/.test(nano)) return Number(BigInt(nano) / 1_000_000n);
  }
  return undefined;
}

// Canonical text of what the record says (attributes sorted by key, and its scope): equal for every
// replay of the record, whatever the exporter's attribute order.
function contentDigest(r: OtlpLogRecord): string {
  const attrs = Object.keys(r.attrs)
    .sort()
    .map((k) => [k, r.attrs[k]]);
  return createHash('sha256')
    .update(JSON.stringify([r.scope, attrs]))
    .digest('base64url')
    .slice(0, 32);
}

// Ids and labels that reach storage (keys, indexed columns): length and characters (core/bounds.ts).
const CHECKED_STRINGS = [
  'conversation.id',
  'call_id',
  'model',
  'slug',
  'originator',
  'user.email',
  'tool_name',
  'mcp_server',
  'decision',
  'source',
  'approval_policy',
  'sandbox_policy',
  'provider_name',
];
const INT32_ATTRS = ['prompt_length', 'duration_ms'];

function boundsProblem(r: OtlpLogRecord): string | undefined {
  for (const k of CHECKED_STRINGS) {
    const v = attrString(r.attrs, k);
    const p = v === undefined ? undefined : idProblem(k, v);
    if (p) return p;
  }
  for (const k of INT32_ATTRS) {
    const n = attrInt(r.attrs, k);
    if (n !== undefined && !Number.isNaN(n) && n > MAX_INT32) return `${k} ${n} is above ${MAX_INT32}`;
  }
  return undefined;
}

export function normalizeRecord(r: OtlpLogRecord): NormalizedEvent | Drop | null {
  const name = attrString(r.attrs, 'event.name');
  if (!name) return null; // e.g. the SDK's "flushing OTEL metrics" debug line
  if (!name.startsWith('codex.')) return null;
  // Most records of a batch are streaming noise: leave before reading the time and identity.
  if (!isFactEvent(name) && isNoise(name)) return null;
  if (name === 'codex.sse_event') {
    if (attrString(r.attrs, 'event.kind') !== 'response.completed') return null;
    // Codex writes two response.completed records; only the second carries token counts.
    if (r.attrs['input_token_count'] === undefined && r.attrs['output_token_count'] === undefined) return null;
  }
  const bad = boundsProblem(r);
  if (bad) return drop('invalid_attribute', bad);
  const time = eventTime(r);
  if (time !== undefined) {
    const p = timeProblem(time);
    if (p) return drop('invalid_attribute', p);
  }
  const threadId = attrString(r.attrs, 'conversation.id');
  // Every kept event needs its thread, observations too (decisions/0046): Codex 0.169 sends none
  // without one (its only thread-less records, /models API requests, are noise, left above), and
  // an empty id would file such records of every session under one pseudo-thread ''.
  if (!threadId) return drop('missing_conversation_id', name);
  const discriminator = r.observedTimeUnixNano !== '0' ? r.observedTimeUnixNano : r.timeUnixNano;
  const base = {
    key: '',
    threadId,
    // No time at all (never from Codex; some collectors): stored at arrival, keyed by content.
    ts: time ?? Date.now(),
    ...(time === undefined ? { untimed: true } : {}),
    originator: attrString(r.attrs, 'originator'),
    model: attrString(r.attrs, 'model') ?? attrString(r.attrs, 'slug'),
    emailClaim: attrString(r.attrs, 'user.email')?.toLowerCase(),
    discriminator: time === undefined ? `content:${contentDigest(r)}` : discriminator,
  };
  switch (name) {
    case 'codex.conversation_starts':
      return {
        ...base,
        kind: 'thread_started',
        threadKind: 'user',
        approvalPolicy: attrString(r.attrs, 'approval_policy'),
        sandboxPolicy: attrString(r.attrs, 'sandbox_policy'),
        provider: attrString(r.attrs, 'provider_name'),
      };
    case 'codex.user_prompt': {
      const prompt = attrString(r.attrs, 'prompt');
      const promptLength = attrInt(r.attrs, 'prompt_length');
      if (Number.isNaN(promptLength)) return drop('invalid_attribute', 'prompt_length is not a non-negative integer');
      return {
        ...base,
        kind: 'turn',
        prompt,
        promptLength,
        threadKind: prompt?.startsWith(TITLE_PROMPT_PREFIX) ? 'title' : 'user',
      };
    }
    case 'codex.sse_event': {
      const input = attrInt(r.attrs, 'input_token_count') ?? 0;
      const output = attrInt(r.attrs, 'output_token_count') ?? 0;
      const cached = attrInt(r.attrs, 'cached_token_count') ?? 0;
      const reasoning = attrInt(r.attrs, 'reasoning_token_count') ?? 0;
      const cacheWrite = attrInt(r.attrs, 'cache_write_token_count') ?? 0;
      for (const [k, v] of Object.entries({ input, output, cached, reasoning, cacheWrite })) {
        if (Number.isNaN(v)) return drop('invalid_attribute', `${k} token count is not a non-negative integer`);
        const p = tokenProblem(`${k} token count`, v);
        if (p) return drop('invalid_attribute', p);
      }
      return {
        ...base,
        kind: 'response',
        tokens: { input, cached: Math.min(cached, input), output, reasoning },
        cacheWrite,
      };
    }
    case 'codex.tool_decision':
    case 'codex.tool_result': {
      const callId = attrString(r.attrs, 'call_id');
      if (!callId) return drop('invalid_attribute', `${name} without call_id`);
      const duration = attrInt(r.attrs, 'duration_ms');
      return {
        ...base,
        kind: 'tool',
        callId,
        toolName: attrString(r.attrs, 'tool_name'),
        ...(name === 'codex.tool_decision'
          ? { decision: attrString(r.attrs, 'decision'), decisionSource: attrString(r.attrs, 'source') }
          : {
              success: attrBool(r.attrs, 'success'),
              durationMs: Number.isNaN(duration) ? undefined : duration,
              mcpServer: attrString(r.attrs, 'mcp_server') || undefined,
              arguments: attrString(r.attrs, 'arguments'),
              output: attrString(r.attrs, 'output'),
            }),
      };
    }
    case 'codex.skill_invocation':
      return {
        ...observation(r, base, name, 'skill_invocation'),
        skillName: attrString(r.attrs, 'skill.name'),
        skillScope: attrString(r.attrs, 'skill.scope'),
      };
    case 'codex.guardian_assessment':
      return observation(r, base, name, 'guardian_assessment');
    default:
      // codex.agent_response is an observation here; otlp-ingest.service.ts moves its text onto the
      // response it answers when that is in the same batch.
      return observation(r, base, name, isKnownEvent(name) ? 'known' : 'unknown');
  }
}

// Every codex.* event that is no fact is kept as it came (decisions/0024), never an error.
function observation(
  r: OtlpLogRecord,
  base: Omit<Observation, 'kind' | 'name' | 'category' | 'attributes'>,
  name: string,
  category: Observation['category'],
): Observation {
  return { ...base, kind: 'observation', name, category, turnId: attrString(r.attrs, 'turn.id'), attributes: r.attrs };
}
