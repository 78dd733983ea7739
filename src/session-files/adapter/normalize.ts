// One rollout line -> the facts it states ("a turn started", "this response used these tokens",
// "tool call X returned Y", …). Stateless: the parser (parser.ts) applies the facts to its per-file
// state, which is where dedupe, turn tracking, token deltas and sub-agent attribution happen, and
// turns them into normalized events. This file dispatches a line by its envelope; the normalizers by
// record kind and the pure helpers both sides share are in normalize/ (re-exported here).
import {
  BareSessionMetaSchema,
  CompactedSchema,
  ENVELOPE_TYPES,
  EnvelopeSchema,
  RESPONSE_ITEM_TYPES,
  SessionMetaSchema,
  StateMarkerSchema,
  TokenUsageRecordSchema,
  TurnContextSchema,
} from './schema.js';
import { type NormalizedLine, type Obj, isObj, optStr } from './normalize/facts.js';
import { parseTs, toUsage, usageProblem } from './normalize/usage.js';
import { policyLabel } from './normalize/thread.js';
import { normalizeResponseItem } from './normalize/response-item.js';
import { normalizeEventMsg } from './normalize/event-msg.js';

export type { LineFact, NormalizedLine } from './normalize/facts.js';
export {
  capUsage,
  compareVersions,
  durationToMs,
  isZeroUsage,
  parseTs,
  toUsage,
  usageDelta,
  usageEquals,
} from './normalize/usage.js';
export { classifyThread, policyLabel, threadInfoFromMeta } from './normalize/thread.js';
export { isInjectedUserText, parseToolOutput } from './normalize/text.js';
export { normalizeOversized, lineLimitFor } from './normalize/oversized.js';

// ---- line -> facts ------------------------------------------------------------------------------

export function normalizeLine(value: Obj): NormalizedLine {
  if (typeof value.type === 'string' && 'payload' in value) return normalizeEnvelope(value);
  return normalizeBare(value);
}

function normalizeEnvelope(value: Obj): NormalizedLine {
  const env = EnvelopeSchema.safeParse(value);
  if (!env.success)
    return {
      format: 'envelope',
      facts: [{ f: 'skip', reason: 'invalid_shape', detail: 'envelope without a string type' }],
    };
  const { type, payload, ordinal } = env.data;
  const out: NormalizedLine = { format: 'envelope', ts: parseTs(env.data.timestamp), ordinal, facts: [] };
  const facts = out.facts;
  const invalid = (what: string) =>
    facts.push({ f: 'skip', reason: 'invalid_shape', detail: what }, { f: 'other', type, raw: payload });
  const implausible = (what: string) =>
    facts.push({ f: 'skip', reason: 'implausible_value', detail: what }, { f: 'other', type, raw: payload });
  switch (type) {
    case 'session_meta': {
      // Older builds nested the meta: `{meta: {...}, git}`.
      const flat = isObj(payload) && isObj(payload.meta) ? { ...payload.meta, git: payload.git } : payload;
      const p = SessionMetaSchema.safeParse(flat);
      if (!p.success) invalid('session_meta without an id');
      else facts.push({ f: 'session_meta', meta: p.data, raw: payload as Obj });
      break;
    }
    case 'turn_context': {
      const p = TurnContextSchema.safeParse(payload);
      if (!p.success) invalid('turn_context is not an object');
      else
        facts.push({
          f: 'turn_context',
          turnId: p.data.turn_id,
          rootTurnId: p.data.root_turn_id,
          model: optStr(p.data.model),
          cwd: p.data.cwd,
          approvalPolicy: policyLabel(p.data.approval_policy),
          sandboxPolicy: policyLabel(p.data.sandbox_policy),
          effort: p.data.effort,
          summary: p.data.summary,
          raw: payload as Obj,
        });
      break;
    }
    case 'token_usage_record': {
      const p = TokenUsageRecordSchema.safeParse(payload);
      const usage = p.success ? toUsage(p.data.usage) : undefined;
      const bad = p.success
        ? (usageProblem(p.data.usage, true) ?? usageProblem(p.data.thread_token_usage, false))
        : undefined;
      if (bad) implausible(`token_usage_record: ${bad}`);
      else if (!p.success || !usage) invalid('token_usage_record without usage');
      else
        facts.push({
          f: 'usage_record',
          responseId: optStr(p.data.response_id),
          turnId: optStr(p.data.turn_id),
          rootTurnId: optStr(p.data.root_turn_id),
          threadId: optStr(p.data.thread_id),
          usage,
          threadUsage: toUsage(p.data.thread_token_usage),
        });
      break;
    }
    case 'response_item':
      normalizeResponseItem(payload, 'response_item', facts);
      break;
    case 'event_msg':
      normalizeEventMsg(payload, facts);
      break;
    case 'compacted': {
      const p = CompactedSchema.safeParse(payload);
      if (!p.success) invalid('compacted is not an object');
      else
        facts.push({
          f: 'compaction',
          message: p.data.message,
          replacementHistoryItems: p.data.replacement_history?.length,
          compactionResponseId: p.data.compaction_response_id,
        });
      break;
    }
    default:
      if (ENVELOPE_TYPES.has(type)) facts.push({ f: 'other', type, raw: payload });
      else facts.push({ f: 'other', type, raw: payload, unknown: true });
  }
  return out;
}

function normalizeBare(value: Obj): NormalizedLine {
  const out: NormalizedLine = { format: 'bare', facts: [] };
  if (StateMarkerSchema.safeParse(value).success) {
    out.facts.push({ f: 'state_marker' });
    return out;
  }
  if (typeof value.type === 'string') {
    if (!RESPONSE_ITEM_TYPES.has(value.type)) {
      out.facts.push({ f: 'other', type: value.type, raw: value, unknown: true });
      return out;
    }
    normalizeResponseItem(value, 'bare_item', out.facts);
    return out;
  }
  const meta = BareSessionMetaSchema.safeParse(value);
  if (meta.success) {
    out.ts = parseTs(meta.data.timestamp);
    out.facts.push({
      f: 'bare_meta',
      id: meta.data.id,
      timestamp: meta.data.timestamp,
      git: meta.data.git,
      raw: value,
    });
    return out;
  }
  // An object with neither a type nor a record_type.
  out.facts.push({ f: 'other', type: 'unknown', raw: value, unknown: true });
  return out;
}
