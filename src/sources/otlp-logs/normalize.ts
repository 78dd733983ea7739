// One OTLP log record -> a normalized event, `null` (valid but carries nothing we count), or a
// typed drop (invalid: reported back to the exporter in partialSuccess).
import { drop, type Drop, type NormalizedEvent } from '../../core/events.js';
import type { OtlpLogRecord } from './decode.js';
import { attrBool, attrInt, attrString } from './attributes.js';
import { isFactEvent } from './relevance.js';

// The TUI starts a hidden thread that asks the model for a title; its prompt starts like this.
const TITLE_PROMPT_PREFIX = 'Generate a concise, single-line task title';

export function eventTime(r: OtlpLogRecord): number {
  const ts = attrString(r.attrs, 'event.timestamp');
  if (ts) {
    const ms = Date.parse(ts);
    if (Number.isFinite(ms)) return ms;
  }
  for (const nano of [r.observedTimeUnixNano, r.timeUnixNano]) {
    if (nano && nano !== '0' && /^\d+$/.test(nano)) return Number(BigInt(nano) / 1_000_000n);
  }
  return Date.now();
}

export function normalizeRecord(r: OtlpLogRecord): NormalizedEvent | Drop | null {
  const name = attrString(r.attrs, 'event.name');
  if (!name) return null; // e.g. the SDK's "flushing OTEL metrics" debug line
  if (!name.startsWith('codex.')) return null;
  // Most records of a batch carry nothing we count: leave before reading the time and identity.
  if (!isFactEvent(name)) return null;
  if (name === 'codex.sse_event') {
    if (attrString(r.attrs, 'event.kind') !== 'response.completed') return null;
    // Codex writes two response.completed records; only the second carries token counts.
    if (r.attrs['input_token_count'] === undefined && r.attrs['output_token_count'] === undefined) return null;
  }
  const threadId = attrString(r.attrs, 'conversation.id');
  const base = {
    key: '',
    threadId: threadId ?? '',
    ts: eventTime(r),
    originator: attrString(r.attrs, 'originator'),
    model: attrString(r.attrs, 'model') ?? attrString(r.attrs, 'slug'),
    emailClaim: attrString(r.attrs, 'user.email')?.toLowerCase(),
    discriminator: r.observedTimeUnixNano !== '0' ? r.observedTimeUnixNano : r.timeUnixNano,
  };
  switch (name) {
    case 'codex.conversation_starts':
      if (!threadId) return drop('missing_conversation_id', name);
      return {
        ...base,
        kind: 'thread_started',
        threadKind: 'user',
        approvalPolicy: attrString(r.attrs, 'approval_policy'),
        sandboxPolicy: attrString(r.attrs, 'sandbox_policy'),
        provider: attrString(r.attrs, 'provider_name'),
      };
    case 'codex.user_prompt': {
      if (!threadId) return drop('missing_conversation_id', name);
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
      if (!threadId) return drop('missing_conversation_id', name);
      const input = attrInt(r.attrs, 'input_token_count') ?? 0;
      const output = attrInt(r.attrs, 'output_token_count') ?? 0;
      const cached = attrInt(r.attrs, 'cached_token_count') ?? 0;
      const reasoning = attrInt(r.attrs, 'reasoning_token_count') ?? 0;
      const cacheWrite = attrInt(r.attrs, 'cache_write_token_count') ?? 0;
      for (const [k, v] of Object.entries({ input, output, cached, reasoning, cacheWrite })) {
        if (Number.isNaN(v)) return drop('invalid_attribute', `${k} token count is not a non-negative integer`);
      }
      return { ...base, kind: 'response', tokens: { input, cached: Math.min(cached, input), output, reasoning }, cacheWrite };
    }
    case 'codex.tool_decision':
    case 'codex.tool_result': {
      const callId = attrString(r.attrs, 'call_id');
      if (!threadId) return drop('missing_conversation_id', name);
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
              arguments: attrString(r.attrs, 'arguments'),
              output: attrString(r.attrs, 'output'),
            }),
      };
    }
    default:
      return null;
  }
}
