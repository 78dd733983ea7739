// The usage-only pass's normalizer (decision 0047): the lines that pass keeps (session_meta,
// turn_context, token_usage_record and the turn, token and prompt events) in their usual shape, checked
// by hand instead of through zod, which was a fifth of the pass. It answers only for a line whose
// every field it reads has the type the schema expects and whose counts are within bounds; then its
// facts are exactly what normalizeLine makes of it (usage-lines.test.ts compares them on every
// fixture line and on each field of them set to wrong types and out-of-bound values). Any other line
// (a wrong type, an implausible count, an older nesting, a type it does not know) gets undefined and
// goes through normalizeLine, which skips it for the same reason as always.
import { policyLabel, permissionLabel } from './thread.js';
import { isInjectedUserText, typedPromptFact } from './text.js';
import { type LineFact, type NormalizedLine, type Obj, isObj, optStr } from './facts.js';
import { parseTs, toUsage, USAGE_FIELDS, usageProblem } from './usage.js';
import type { RawTokenUsage } from '../schema.js';

const isStr = (x: unknown) => x === undefined || typeof x === 'string';
// A null where the schema wants a string is caught to undefined by zod: read through optStr, or
// `?? undefined`, it is the same.
const isOptStr = (x: unknown) => x === undefined || x === null || typeof x === 'string';
const isNum = (x: unknown) => x === undefined || typeof x === 'number';
const strs = (o: Obj, keys: readonly string[]) => keys.every((k) => isStr(o[k]));
const nums = (o: Obj, keys: readonly string[]) => keys.every((k) => isNum(o[k]));

const isUsage = (u: unknown): u is RawTokenUsage => isObj(u) && nums(u, USAGE_FIELDS);
const isUsageOrNone = (u: unknown) => u === undefined || u === null || isUsage(u);

// SessionMetaSchema: every field, since the fact carries the parsed payload itself.
const META_STRS = [
  'session_id',
  'timestamp',
  'cwd',
  'originator',
  'cli_version',
  'thread_source',
  'model_provider',
  'model',
  'history_mode',
  'forked_from_id',
  'parent_thread_id',
  'instructions',
  'agent_nickname',
  'agent_role',
] as const;
const nestedOk = (x: unknown, s: readonly string[], n: readonly string[] = [], opt: readonly string[] = []) =>
  x === undefined || x === null || (isObj(x) && strs(x, s) && nums(x, n) && opt.every((k) => isOptStr(x[k])));

function sessionMeta(p: Obj): LineFact | undefined {
  // Older builds nested the meta ({meta, git}): left to normalizeLine.
  if (typeof p.id !== 'string' || 'meta' in p || !isNum(p.forked_from_ordinal_exclusive)) return undefined;
  if (!META_STRS.every((k) => isOptStr(p[k]))) return undefined;
  if (!nestedOk(p.history_base, ['thread_id'], ['end_ordinal_exclusive', 'end_byte_offset'])) return undefined;
  if (!nestedOk(p.git, ['commit_hash', 'branch', 'repository_url'])) return undefined;
  // The fact carries the parsed payload, where zod made each null string undefined.
  let meta = p;
  for (const k of META_STRS) if (p[k] === null) meta = { ...meta, [k]: undefined };
  return { f: 'session_meta', meta: meta as never, raw: p };
}

function turnContext(p: Obj): LineFact | undefined {
  if (!strs(p, ['turn_id', 'root_turn_id', 'cwd', 'model'])) return undefined;
  return {
    f: 'turn_context',
    turnId: p.turn_id as string | undefined,
    rootTurnId: p.root_turn_id as string | undefined,
    model: optStr(p.model),
    cwd: p.cwd as string | undefined,
    approvalPolicy: policyLabel(p.approval_policy),
    sandboxPolicy: policyLabel(p.sandbox_policy),
    effort: p.effort,
    summary: p.summary,
    raw: p,
  };
}

function usageRecord(p: Obj): LineFact | undefined {
  if (!strs(p, ['thread_id', 'turn_id', 'root_turn_id', 'session_id', 'response_id'])) return undefined;
  if (!isUsage(p.usage) || !isUsageOrNone(p.turn_token_usage) || !isUsageOrNone(p.thread_token_usage)) return undefined;
  const thread = p.thread_token_usage as RawTokenUsage | null | undefined;
  const usage = toUsage(p.usage);
  if (!usage || usageProblem(p.usage, true) || usageProblem(thread, false)) return undefined;
  return {
    f: 'usage_record',
    responseId: optStr(p.response_id),
    turnId: optStr(p.turn_id),
    rootTurnId: optStr(p.root_turn_id),
    threadId: optStr(p.thread_id),
    usage,
    threadUsage: toUsage(thread),
  };
}

function tokenCount(ev: Obj, facts: LineFact[]): boolean {
  const info = ev.info;
  if (!isStr(ev.model)) return false;
  if (info !== undefined && info !== null) {
    if (!isObj(info) || !isStr(info.model)) return false;
    if (!isUsageOrNone(info.last_token_usage) || !isUsageOrNone(info.total_token_usage)) return false;
    const last = info.last_token_usage as RawTokenUsage | null | undefined;
    const total = info.total_token_usage as RawTokenUsage | null | undefined;
    if (usageProblem(last, true) || usageProblem(total, false)) return false;
    facts.push({
      f: 'token_count',
      info: { last: toUsage(last), total: toUsage(total), model: optStr(info.model) },
      model: optStr(ev.model),
      rateLimits: ev.rate_limits,
    });
  } else facts.push({ f: 'token_count', info: null, model: optStr(ev.model), rateLimits: ev.rate_limits });
  const r = ev.rate_limits;
  if (isObj(r) && (r.primary || r.secondary || r.credits)) facts.push({ f: 'rate_limits', raw: r });
  return true;
}

/**
 * An item_completed holding a typed prompt (the one kind of it the usage-only mode decodes): its
 * turn reference and prompt. Fields zod would catch to undefined are read as undefined likewise.
 */
function userMessageItem(ev: Obj, facts: LineFact[]): boolean {
  const item = ev.item;
  if (!isObj(item) || item.type !== 'UserMessage') return false;
  const itemThreadId = typeof ev.thread_id === 'string' ? ev.thread_id : undefined;
  const turnId = optStr(ev.turn_id);
  if (turnId) facts.push({ f: 'turn_ref', turnId, itemThreadId });
  facts.push(typedPromptFact(item.content, turnId, itemThreadId, typeof item.id === 'string' ? item.id : undefined));
  return true;
}

// event_msg types normalizeEventMsg gives a fact of their own; the ones not handled here go to it.
const OWN_FACT_EVENTS = new Set([
  'agent_message',
  'agent_reasoning',
  'item_completed', // but for a UserMessage (userMessageItem)
  'exec_command_end',
  'patch_apply_end',
  'mcp_tool_call_end',
  'entered_review_mode',
  'exited_review_mode',
]);

function eventMsg(ev: Obj, facts: LineFact[]): boolean {
  switch (ev.type) {
    case 'task_started':
    case 'turn_started': {
      const a = ev.turn_attribution;
      if (!isOptStr(ev.turn_id) || !isOptStr(ev.root_turn_id)) return false;
      if (!nestedOk(a, [], [], ['turn_id', 'turn_trigger', 'parent_turn_id', 'root_turn_id'])) return false;
      const at = (a ?? undefined) as Obj | undefined;
      facts.push({
        f: 'task_started',
        turnId: optStr(ev.turn_id) ?? optStr(at?.turn_id),
        rootTurnId: optStr(ev.root_turn_id) ?? optStr(at?.root_turn_id),
        parentTurnId: optStr(at?.parent_turn_id),
        trigger: optStr(at?.turn_trigger),
        raw: ev,
      });
      return true;
    }
    case 'task_complete':
    case 'turn_complete':
    case 'turn_aborted':
      if (!isOptStr(ev.turn_id) || !isOptStr(ev.last_agent_message)) return false;
      if (!(isNum(ev.duration_ms) || ev.duration_ms === null)) return false;
      facts.push({
        f: 'task_complete',
        turnId: optStr(ev.turn_id),
        aborted: ev.type === 'turn_aborted',
        durationMs: (ev.duration_ms ?? undefined) as number | undefined,
        lastAgentMessage: (ev.last_agent_message ?? undefined) as string | undefined,
        raw: ev,
      });
      return true;
    case 'token_count':
      return tokenCount(ev, facts);
    case 'user_message': {
      const { message, kind, images } = ev;
      if (typeof message !== 'string' || !isStr(kind) || !(images === undefined || Array.isArray(images))) return false;
      const injected = (kind !== undefined && kind !== 'plain') || isInjectedUserText(message);
      facts.push({
        f: 'user_text',
        text: message,
        canonical: !injected,
        injected,
        origin: 'event_msg',
        images: (images as unknown[] | undefined)?.length || undefined,
      });
      return true;
    }
    case 'thread_settings_applied': {
      const ts = ev.thread_settings;
      if (!isStr(ev.thread_id) || !nestedOk(ts, ['model_provider_id', 'cwd'], [], ['model'])) return false;
      const s = (ts ?? undefined) as Obj | undefined;
      facts.push({
        f: 'settings',
        threadId: ev.thread_id as string | undefined,
        model: optStr(s?.model),
        provider: s?.model_provider_id as string | undefined,
        approvalPolicy: policyLabel(s?.approval_policy),
        sandboxPolicy: s ? permissionLabel(s) : undefined,
        cwd: s?.cwd as string | undefined,
        raw: ev,
      });
      return true;
    }
    case 'item_completed':
      return userMessageItem(ev, facts);
    default:
      if (typeof ev.type !== 'string' || OWN_FACT_EVENTS.has(ev.type)) return false;
      facts.push({ f: 'other', type: 'event_msg', subtype: ev.type, raw: ev });
      return true;
  }
}

/** normalizeLine's facts for a usage line in its usual shape, or undefined: use normalizeLine. */
export function normalizeUsageLine(value: Obj): NormalizedLine | undefined {
  const { type, payload, timestamp, ordinal } = value;
  if (typeof type !== 'string' || !('payload' in value) || !isObj(payload) || !isStr(timestamp)) return undefined;
  if (ordinal !== undefined && !(Number.isSafeInteger(ordinal) && (ordinal as number) >= 0)) return undefined;
  const facts: LineFact[] = [];
  const out: NormalizedLine = {
    format: 'envelope',
    ts: parseTs(timestamp),
    ordinal: ordinal as number | undefined,
    facts,
  };
  let fact: LineFact | undefined;
  if (type === 'session_meta') fact = sessionMeta(payload);
  else if (type === 'turn_context') fact = turnContext(payload);
  else if (type === 'token_usage_record') fact = usageRecord(payload);
  else if (type === 'event_msg') return eventMsg(payload, facts) ? out : undefined;
  if (!fact) return undefined;
  facts.push(fact);
  return out;
}
