// One rollout line -> the facts it states ("a turn started", "this response used these tokens",
// "tool call X returned Y", …). Stateless: the parser (parser.ts) applies the facts to its per-file
// state, which is where dedupe, turn tracking, token deltas and sub-agent attribution happen, and
// turns them into normalized events. Also the pure helpers both sides share.
import { tokenProblem } from '../../core/bounds.js';
import type { ThreadKind } from '../../core/events.js';
import { jsonStringPrefix, sniffHead, sniffTypes, type RawLine } from './decode.js';
import {
  AgentMessageEventSchema,
  AgentReasoningEventSchema,
  BareSessionMetaSchema,
  CommandExecutionItemSchema,
  CompactedSchema,
  CustomToolCallSchema,
  ENVELOPE_TYPES,
  EnvelopeSchema,
  EventMsgSchema,
  ExecCommandEndSchema,
  FunctionCallOutputSchema,
  FunctionCallSchema,
  ItemCompletedSchema,
  LocalShellCallSchema,
  McpToolCallEndSchema,
  MessageItemSchema,
  PatchApplyEndSchema,
  RESPONSE_ITEM_TYPES,
  ReasoningSchema,
  ResponseItemSchema,
  SessionMetaSchema,
  StateMarkerSchema,
  TaskCompleteSchema,
  TaskStartedSchema,
  ThreadSettingsAppliedSchema,
  TokenCountSchema,
  TokenUsageRecordSchema,
  TurnContextSchema,
  UserMessageEventSchema,
  WebSearchCallSchema,
  type RawTokenUsage,
  type SessionMetaPayload,
} from './schema.js';
import type { ContentOrigin, RolloutThreadInfo, SkipReason, ToolKind, UsageTotals } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

// ---- facts --------------------------------------------------------------------------------------

export type LineFact =
  | { f: 'session_meta'; meta: SessionMetaPayload; raw: Obj }
  | { f: 'bare_meta'; id: string; timestamp?: string; git?: unknown; raw: Obj }
  | { f: 'state_marker' }
  | { f: 'turn_context'; turnId?: string; rootTurnId?: string; model?: string; cwd?: string; approvalPolicy?: string; sandboxPolicy?: string; effort?: unknown; summary?: unknown; raw: Obj }
  | { f: 'settings'; threadId?: string; model?: string; provider?: string; approvalPolicy?: string; sandboxPolicy?: string; cwd?: string; raw: Obj }
  | { f: 'task_started'; turnId?: string; rootTurnId?: string; parentTurnId?: string; trigger?: string; raw: Obj }
  | { f: 'task_complete'; turnId?: string; aborted: boolean; durationMs?: number; lastAgentMessage?: string; raw: Obj }
  | { f: 'turn_ref'; turnId: string; itemThreadId?: string }
  | { f: 'user_text'; text: string; canonical: boolean; injected: boolean; origin: ContentOrigin; turnId?: string; itemThreadId?: string; itemId?: string; images?: number }
  | { f: 'assistant_text'; text: string; canonical: boolean; origin: ContentOrigin; turnId?: string; itemThreadId?: string; itemId?: string; phase?: string }
  | { f: 'developer_text'; role: string; text: string; itemId?: string }
  | { f: 'reasoning'; summary: string[]; text?: string; encrypted?: string }
  | { f: 'usage_record'; responseId?: string; turnId?: string; rootTurnId?: string; threadId?: string; usage: UsageTotals; threadUsage?: UsageTotals }
  | { f: 'token_count'; info: null | { last?: UsageTotals; total?: UsageTotals; model?: string }; model?: string; rateLimits?: unknown }
  | { f: 'tool_call'; callId?: string; toolName?: string; toolKind: ToolKind; arguments?: string; argumentsTruncated?: boolean; status?: string; turnId?: string }
  | {
      f: 'tool_exec';
      callId: string;
      itemThreadId?: string;
      turnId?: string;
      exitCode?: number;
      durationMs?: number;
      command?: unknown;
      cwd?: string;
      aggregatedOutput?: string;
      status?: string;
      success?: boolean;
    }
  | { f: 'tool_output'; callId?: string; output?: string; outputTruncated?: boolean; exitCode?: number; durationMs?: number; success?: boolean; turnId?: string }
  | { f: 'tool_complete'; callId?: string; toolName?: string; toolKind: ToolKind; arguments?: string; output?: string; success?: boolean; durationMs?: number; status?: string; turnId?: string }
  | { f: 'compaction'; message?: string; replacementHistoryItems?: number; compactionResponseId?: string }
  | { f: 'review'; phase: 'entered' | 'exited'; raw: unknown; itemThreadId?: string; turnId?: string }
  | { f: 'rate_limits'; raw: unknown }
  | { f: 'other'; type: string; subtype?: string; raw?: unknown; head?: string; itemThreadId?: string }
  | { f: 'skip'; reason: SkipReason; detail?: string };

export interface NormalizedLine {
  format: 'envelope' | 'bare';
  ts?: number;
  ordinal?: number;
  truncated?: boolean;
  facts: LineFact[];
}

// ---- small helpers ------------------------------------------------------------------------------

export function parseTs(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
}

const nz = (n: number | undefined): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

/** A TokenUsage object -> numbers; `cache_read_input_tokens` is the older name of cached, total defaults to input + output. */
export function toUsage(u: RawTokenUsage | null | undefined): UsageTotals | undefined {
  if (!u) return undefined;
  const fields = [u.input_tokens, u.cached_input_tokens, u.cache_read_input_tokens, u.output_tokens, u.reasoning_output_tokens, u.total_tokens];
  if (!fields.some((x) => typeof x === 'number')) return undefined;
  const input = nz(u.input_tokens);
  const output = nz(u.output_tokens);
  const total = nz(u.total_tokens);
  return {
    input,
    cached: nz(u.cached_input_tokens ?? u.cache_read_input_tokens),
    output,
    reasoning: nz(u.reasoning_output_tokens),
    cacheWrite: nz(u.cache_write_input_tokens ?? u.cache_creation_input_tokens),
    total: total > 0 ? total : input + output,
  };
}

const USAGE_FIELDS = ['input_tokens', 'cached_input_tokens', 'cache_read_input_tokens', 'cache_write_input_tokens', 'cache_creation_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'total_tokens'] as const;

/**
 * Why a TokenUsage cannot be counted, or undefined: every count must be a non-negative integer,
 * and one response's (not a running total's) at most MAX_TOKENS_PER_RESPONSE (decisions/0012).
 * `1e300` or `1.5` used to be rounded and stored.
 */
export function usageProblem(u: RawTokenUsage | null | undefined, perResponse: boolean): string | undefined {
  if (!u) return undefined;
  for (const k of USAGE_FIELDS) {
    const n = u[k];
    if (n === undefined) continue;
    if (!Number.isSafeInteger(n) || n < 0) return `${k} ${n} is not a non-negative integer`;
    // total_tokens is recomputed as input + output; input and output carry the bound.
    if (perResponse && k !== 'total_tokens') {
      const p = tokenProblem(k, n);
      if (p) return p;
    }
  }
  return undefined;
}

export const ZERO_USAGE: UsageTotals = { input: 0, cached: 0, output: 0, reasoning: 0, cacheWrite: 0, total: 0 };

export function usageEquals(a: UsageTotals, b: UsageTotals): boolean {
  return a.input === b.input && a.cached === b.cached && a.output === b.output && a.reasoning === b.reasoning && a.total === b.total;
}

export function usageDelta(cur: UsageTotals, prev: UsageTotals | undefined): UsageTotals {
  const p = prev ?? ZERO_USAGE;
  const d = (a: number, b: number) => Math.max(a - b, 0);
  const input = d(cur.input, p.input);
  const output = d(cur.output, p.output);
  return { input, cached: d(cur.cached, p.cached), output, reasoning: d(cur.reasoning, p.reasoning), cacheWrite: d(cur.cacheWrite, p.cacheWrite), total: input + output };
}

/** All-zero counts (the total_tokens of the post-compaction estimate does not count). */
export const isZeroUsage = (u: UsageTotals) => u.input === 0 && u.cached === 0 && u.output === 0 && u.reasoning === 0;

/** Cached is capped at input (input includes cached); total is recomputed as input + output. */
export function capUsage(u: UsageTotals): UsageTotals {
  return { ...u, cached: Math.min(u.cached, u.input), total: u.input + u.output };
}

/** Semver-ish compare of `0.169.0`-style versions; NaN parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** `{secs, nanos}` (serde Duration), a number of `unit`, or a "1.5s"/"250ms" string -> ms. */
export function durationToMs(d: unknown, unit: 's' | 'ms' = 's'): number | undefined {
  if (typeof d === 'number' && Number.isFinite(d) && d >= 0) return Math.round(unit === 's' ? d * 1000 : d);
  if (isObj(d) && (typeof d.secs === 'number' || typeof d.nanos === 'number')) {
    return Math.round((Number(d.secs) || 0) * 1000 + (Number(d.nanos) || 0) / 1e6);
  }
  if (typeof d === 'string') {
    const m = /^\s*([\d.]+)\s*(ms|s)?\s*$/.exec(d);
    if (m) return durationToMs(Number(m[1]), m[2] === 'ms' ? 'ms' : unit);
  }
  return undefined;
}

const optStr = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** approval policy: a string, or an object like `{granular: …}` (-> its key). */
export function policyLabel(p: unknown): string | undefined {
  if (typeof p === 'string') return p;
  if (isObj(p)) return optStr(p.type) ?? optStr(p.mode) ?? Object.keys(p)[0];
  return undefined;
}

/** sandbox policy: `{type: "read-only"}` (0.169), `{mode: "workspace-write", …}` (older) or a string. */
export const sandboxLabel = policyLabel;

/** `permission_profile` / `active_permission_profile` (thread_settings_applied) -> a sandbox-like label. */
function permissionLabel(settings: Obj): string | undefined {
  const active = settings.active_permission_profile;
  if (isObj(active) && typeof active.id === 'string') return active.id.replace(/^:/, '');
  return sandboxLabel(settings.sandbox_policy);
}

export function sourceLabel(source: unknown): string | undefined {
  if (typeof source === 'string') return source;
  if (isObj(source)) {
    const [k, v] = Object.entries(source)[0] ?? [];
    if (!k) return undefined;
    if (typeof v === 'string') return `${k}:${v}`;
    if (isObj(v)) return `${k}:${Object.keys(v)[0] ?? ''}`;
    return k;
  }
  return undefined;
}

/** Thread kind and parent from session_meta (spec §3 pitfalls 7 and 9, §8 "Threads"). */
export function classifyThread(meta: SessionMetaPayload): { kind: ThreadKind; parentThreadId?: string } {
  const src = meta.source;
  const sub = isObj(src) ? src.subagent : undefined;
  const isSub = meta.thread_source === 'subagent' || sub !== undefined || src === 'subagent';
  const isTitle = meta.thread_source === 'thread_title' || (typeof sub === 'string' && sub === 'thread_title');
  let parent = meta.parent_thread_id;
  if (!parent && isObj(sub)) {
    for (const v of Object.values(sub)) if (isObj(v) && typeof v.parent_thread_id === 'string') parent = v.parent_thread_id;
  }
  if (!parent && (isSub || isTitle) && meta.session_id && meta.session_id !== meta.id) parent = meta.session_id;
  return { kind: isTitle ? 'title' : isSub ? 'subagent' : 'user', parentThreadId: parent };
}

export function threadInfoFromMeta(meta: SessionMetaPayload): RolloutThreadInfo {
  const { kind, parentThreadId } = classifyThread(meta);
  const git = meta.git ?? undefined;
  const hb = meta.history_base ?? undefined;
  return {
    threadId: meta.id,
    sessionId: meta.session_id,
    kind,
    parentThreadId,
    forkedFromId: meta.forked_from_id,
    forkedFromOrdinal: meta.forked_from_ordinal_exclusive,
    historyBase: hb ? { threadId: hb.thread_id, endOrdinalExclusive: hb.end_ordinal_exclusive, endByteOffset: hb.end_byte_offset } : undefined,
    originator: meta.originator,
    cliVersion: meta.cli_version,
    cwd: meta.cwd,
    git: git ? { commitHash: git.commit_hash, branch: git.branch, repositoryUrl: git.repository_url } : undefined,
    source: sourceLabel(meta.source),
    sourceRaw: meta.source,
    threadSource: meta.thread_source,
    provider: meta.model_provider,
    historyMode: meta.history_mode,
    startedAt: parseTs(meta.timestamp),
    agentNickname: meta.agent_nickname,
    agentRole: meta.agent_role,
  };
}

/** Concatenated text of a content array (`input_text`, `output_text`, `text`, `Text` parts) or a string. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const c of content) {
    if (typeof c === 'string') parts.push(c);
    else if (isObj(c) && typeof c.text === 'string') parts.push(c.text);
  }
  return parts.join('\n');
}

function imageCount(content: unknown): number | undefined {
  if (!Array.isArray(content)) return undefined;
  const n = content.filter((c) => isObj(c) && typeof c.type === 'string' && /image/i.test(c.type)).length;
  return n || undefined;
}

// Messages the harness writes with role "user" that the user did not type.
const INJECTED_PREFIXES = [
  '<environment_context>',
  '<user_instructions>',
  '<user_action>',
  '# AGENTS.md instructions',
  '<INSTRUCTIONS>',
  '<turn_aborted>',
  '<user_shell_command>',
  '<permissions instructions>',
  '<skills_instructions>',
  '<subagent_notification>',
  '<collaboration_mode>',
  '<model_switch>',
];

export function isInjectedUserText(text: string): boolean {
  const t = text.trimStart();
  return INJECTED_PREFIXES.some((p) => t.startsWith(p));
}

/** 0.169 labels every content item: `content_item_kinds: ["user.text"]` / provenance `user` is typed input. */
function genuineByMetadata(meta: Obj | null | undefined): boolean | undefined {
  if (!meta) return undefined;
  const kinds = meta.content_item_kinds;
  const prov = meta.content_item_metadata;
  if (Array.isArray(prov) && prov.some((p) => isObj(p) && isObj(p.provenance) && p.provenance.type === 'user')) return true;
  if (Array.isArray(kinds)) return kinds.includes('user.text');
  return undefined;
}

export interface ToolOutputInfo {
  text?: string;
  exitCode?: number;
  durationMs?: number;
  success?: boolean;
}

/**
 * A function_call_output `output`: a plain string (0.169: "Process exited with code 0\nWall
 * time: 0.1 seconds…"), an older JSON string `{"output": …, "metadata": {"exit_code", "duration_seconds"}}`,
 * or an object `{content, success}` / a content array.
 */
export function parseToolOutput(output: unknown): ToolOutputInfo {
  const out: ToolOutputInfo = {};
  if (typeof output === 'string') {
    out.text = output;
    const t = output.trimStart();
    if (t.startsWith('{')) {
      try {
        const j = JSON.parse(t) as unknown;
        if (isObj(j) && isObj(j.metadata)) {
          if (typeof j.metadata.exit_code === 'number') out.exitCode = j.metadata.exit_code;
          out.durationMs = durationToMs(j.metadata.duration_seconds, 's');
        }
        if (isObj(j) && typeof j.success === 'boolean') out.success = j.success;
      } catch {
        /* plain text that starts with "{" */
      }
    }
    if (out.exitCode === undefined) {
      const m = /(?:Process exited with code|^Exit code:)\s*(-?\d+)/m.exec(output.slice(0, 4096));
      if (m) out.exitCode = Number(m[1]);
    }
    if (out.durationMs === undefined) {
      const m = /^Wall time:\s*([\d.]+)\s*seconds/m.exec(output.slice(0, 4096));
      if (m) out.durationMs = durationToMs(Number(m[1]), 's');
    }
    if (out.exitCode === undefined && /^unsupported call:/.test(t)) out.success = false;
  } else if (Array.isArray(output)) {
    out.text = textOf(output);
  } else if (isObj(output)) {
    out.text = typeof output.content === 'string' ? output.content : Array.isArray(output.content) ? textOf(output.content) : JSON.stringify(output);
    if (typeof output.success === 'boolean') out.success = output.success;
  }
  if (out.exitCode !== undefined && out.success === undefined) out.success = out.exitCode === 0;
  return out;
}

const argString = (x: unknown): string | undefined => (x === undefined || x === null ? undefined : typeof x === 'string' ? x : JSON.stringify(x));

// ---- line -> facts ------------------------------------------------------------------------------

export function normalizeLine(value: Obj): NormalizedLine {
  if (typeof value.type === 'string' && 'payload' in value) return normalizeEnvelope(value);
  return normalizeBare(value);
}

function normalizeEnvelope(value: Obj): NormalizedLine {
  const env = EnvelopeSchema.safeParse(value);
  if (!env.success) return { format: 'envelope', facts: [{ f: 'skip', reason: 'invalid_shape', detail: 'envelope without a string type' }] };
  const { type, payload, ordinal } = env.data;
  const out: NormalizedLine = { format: 'envelope', ts: parseTs(env.data.timestamp), ordinal, facts: [] };
  const facts = out.facts;
  const invalid = (what: string) => facts.push({ f: 'skip', reason: 'invalid_shape', detail: what }, { f: 'other', type, raw: payload });
  const implausible = (what: string) => facts.push({ f: 'skip', reason: 'implausible_value', detail: what }, { f: 'other', type, raw: payload });
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
          sandboxPolicy: sandboxLabel(p.data.sandbox_policy),
          effort: p.data.effort,
          summary: p.data.summary,
          raw: payload as Obj,
        });
      break;
    }
    case 'token_usage_record': {
      const p = TokenUsageRecordSchema.safeParse(payload);
      const usage = p.success ? toUsage(p.data.usage) : undefined;
      const bad = p.success ? (usageProblem(p.data.usage, true) ?? usageProblem(p.data.thread_token_usage, false)) : undefined;
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
      else facts.push({ f: 'compaction', message: p.data.message, replacementHistoryItems: p.data.replacement_history?.length, compactionResponseId: p.data.compaction_response_id });
      break;
    }
    default:
      if (ENVELOPE_TYPES.has(type)) facts.push({ f: 'other', type, raw: payload });
      else facts.push({ f: 'skip', reason: 'unknown_type', detail: `line type "${type}"` }, { f: 'other', type, raw: payload });
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
      out.facts.push({ f: 'skip', reason: 'unknown_type', detail: `item type "${value.type}"` }, { f: 'other', type: value.type, raw: value });
      return out;
    }
    normalizeResponseItem(value, 'bare_item', out.facts);
    return out;
  }
  const meta = BareSessionMetaSchema.safeParse(value);
  if (meta.success) {
    out.ts = parseTs(meta.data.timestamp);
    out.facts.push({ f: 'bare_meta', id: meta.data.id, timestamp: meta.data.timestamp, git: meta.data.git, raw: value });
    return out;
  }
  out.facts.push({ f: 'skip', reason: 'unknown_type', detail: 'object with neither a type nor a record_type' }, { f: 'other', type: 'unknown', raw: value });
  return out;
}

function normalizeResponseItem(payload: unknown, origin: 'response_item' | 'bare_item', facts: LineFact[]): void {
  const p = ResponseItemSchema.safeParse(payload);
  if (!p.success) {
    facts.push({ f: 'skip', reason: 'invalid_shape', detail: 'response_item without a type' }, { f: 'other', type: 'response_item', raw: payload });
    return;
  }
  const item = p.data;
  const meta = item.internal_chat_message_metadata_passthrough ?? undefined;
  const turnId = optStr(meta?.turn_id);
  if (turnId) facts.push({ f: 'turn_ref', turnId });
  switch (item.type) {
    case 'message': {
      const m = MessageItemSchema.safeParse(item);
      if (!m.success) {
        facts.push({ f: 'other', type: 'response_item', subtype: 'message', raw: item });
        break;
      }
      const text = textOf(m.data.content);
      if (m.data.role === 'user') {
        const byMeta = genuineByMetadata(meta);
        const injected = byMeta === undefined ? isInjectedUserText(text) : !byMeta;
        // Enveloped files carry the typed prompt as an event (user_message / UserMessage item);
        // only the bare format has nothing but the response item.
        facts.push({ f: 'user_text', text, canonical: origin === 'bare_item' && !injected, injected, origin, turnId, itemId: item.id, images: imageCount(m.data.content) });
      } else if (m.data.role === 'assistant') {
        facts.push({ f: 'assistant_text', text, canonical: true, origin, turnId, itemId: item.id, phase: m.data.phase });
      } else {
        facts.push({ f: 'developer_text', role: m.data.role, text, itemId: item.id });
      }
      break;
    }
    case 'reasoning': {
      const r = ReasoningSchema.safeParse(item);
      const summary = r.success ? (r.data.summary ?? []).map((s) => (isObj(s) && typeof s.text === 'string' ? s.text : typeof s === 'string' ? s : '')).filter(Boolean) : [];
      const content = r.success ? r.data.content : undefined;
      facts.push({ f: 'reasoning', summary, text: Array.isArray(content) ? textOf(content) || undefined : undefined, encrypted: r.success ? r.data.encrypted_content : undefined });
      break;
    }
    case 'function_call': {
      const c = FunctionCallSchema.parse(item);
      const name = c.namespace && c.name ? `${c.namespace}.${c.name}` : c.name;
      facts.push({ f: 'tool_call', callId: c.call_id ?? item.id, toolName: name, toolKind: 'function', arguments: argString(c.arguments), turnId });
      break;
    }
    case 'custom_tool_call': {
      const c = CustomToolCallSchema.parse(item);
      facts.push({ f: 'tool_call', callId: c.call_id ?? item.id, toolName: c.name, toolKind: 'custom', arguments: argString(c.input), status: c.status, turnId });
      break;
    }
    case 'local_shell_call': {
      const c = LocalShellCallSchema.parse(item);
      facts.push({ f: 'tool_call', callId: c.call_id ?? item.id, toolName: 'local_shell', toolKind: 'local_shell', arguments: argString(c.action), status: c.status, turnId });
      break;
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const o = FunctionCallOutputSchema.parse(item);
      const info = parseToolOutput(o.output);
      facts.push({ f: 'tool_output', callId: o.call_id, output: info.text ?? argString(o.output), exitCode: info.exitCode, durationMs: info.durationMs, success: info.success, turnId });
      break;
    }
    case 'web_search_call': {
      const w = WebSearchCallSchema.parse(item);
      facts.push({
        f: 'tool_complete',
        callId: item.id,
        toolName: 'web_search',
        toolKind: 'web_search',
        arguments: argString(w.action),
        status: w.status,
        success: w.status === undefined ? undefined : w.status === 'completed',
        turnId,
      });
      break;
    }
    default:
      facts.push({ f: 'other', type: origin === 'bare_item' ? item.type : 'response_item', subtype: origin === 'bare_item' ? undefined : item.type, raw: item });
  }
}

function normalizeEventMsg(payload: unknown, facts: LineFact[]): void {
  const e = EventMsgSchema.safeParse(payload);
  if (!e.success) {
    facts.push({ f: 'skip', reason: 'invalid_shape', detail: 'event_msg without a type' }, { f: 'other', type: 'event_msg', raw: payload });
    return;
  }
  const ev = e.data;
  const other = () => facts.push({ f: 'other', type: 'event_msg', subtype: ev.type, raw: ev });
  switch (ev.type) {
    case 'task_started':
    case 'turn_started': {
      const t = TaskStartedSchema.parse(ev);
      const a = t.turn_attribution ?? undefined;
      facts.push({
        f: 'task_started',
        turnId: optStr(t.turn_id) ?? optStr(a?.turn_id),
        rootTurnId: optStr(t.root_turn_id) ?? optStr(a?.root_turn_id),
        parentTurnId: optStr(a?.parent_turn_id),
        trigger: optStr(a?.turn_trigger),
        raw: ev,
      });
      break;
    }
    case 'task_complete':
    case 'turn_complete':
    case 'turn_aborted': {
      const t = TaskCompleteSchema.parse(ev);
      facts.push({ f: 'task_complete', turnId: optStr(t.turn_id), aborted: ev.type === 'turn_aborted', durationMs: t.duration_ms, lastAgentMessage: t.last_agent_message, raw: ev });
      break;
    }
    case 'token_count': {
      const t = TokenCountSchema.parse(ev);
      const bad = t.info ? (usageProblem(t.info.last_token_usage, true) ?? usageProblem(t.info.total_token_usage, false)) : undefined;
      if (bad) {
        facts.push({ f: 'skip', reason: 'implausible_value', detail: `token_count: ${bad}` }, { f: 'other', type: 'event_msg', subtype: 'token_count', raw: ev });
        break;
      }
      const info = t.info ? { last: toUsage(t.info.last_token_usage), total: toUsage(t.info.total_token_usage), model: optStr(t.info.model) } : null;
      facts.push({ f: 'token_count', info, model: optStr(t.model), rateLimits: t.rate_limits });
      if (isObj(t.rate_limits) && (t.rate_limits.primary || t.rate_limits.secondary || t.rate_limits.credits)) facts.push({ f: 'rate_limits', raw: t.rate_limits });
      break;
    }
    case 'user_message': {
      const u = UserMessageEventSchema.safeParse(ev);
      if (!u.success) return void other();
      const injected = (u.data.kind !== undefined && u.data.kind !== 'plain') || isInjectedUserText(u.data.message);
      facts.push({ f: 'user_text', text: u.data.message, canonical: !injected, injected, origin: 'event_msg', images: u.data.images?.length || undefined });
      break;
    }
    case 'agent_message': {
      const a = AgentMessageEventSchema.safeParse(ev);
      if (!a.success) return void other();
      facts.push({ f: 'assistant_text', text: a.data.message, canonical: false, origin: 'event_msg' });
      break;
    }
    case 'agent_reasoning': {
      const a = AgentReasoningEventSchema.safeParse(ev);
      if (!a.success) return void other();
      facts.push({ f: 'reasoning', summary: [a.data.text] });
      break;
    }
    case 'thread_settings_applied': {
      const s = ThreadSettingsAppliedSchema.parse(ev);
      const ts = s.thread_settings ?? undefined;
      facts.push({
        f: 'settings',
        threadId: s.thread_id,
        model: optStr(ts?.model),
        provider: ts?.model_provider_id,
        approvalPolicy: policyLabel(ts?.approval_policy),
        sandboxPolicy: ts ? permissionLabel(ts) : undefined,
        cwd: ts?.cwd,
        raw: ev,
      });
      break;
    }
    case 'item_completed':
      normalizeItemCompleted(ev, facts);
      break;
    case 'exec_command_end': {
      const x = ExecCommandEndSchema.safeParse(ev);
      if (!x.success) return void other();
      facts.push({
        f: 'tool_exec',
        callId: x.data.call_id,
        exitCode: x.data.exit_code,
        durationMs: durationToMs(x.data.duration, 's'),
        command: x.data.command,
        cwd: x.data.cwd,
        aggregatedOutput: x.data.aggregated_output ?? x.data.formatted_output ?? x.data.stdout,
        success: x.data.exit_code === undefined ? undefined : x.data.exit_code === 0,
      });
      break;
    }
    case 'patch_apply_end': {
      const x = PatchApplyEndSchema.safeParse(ev);
      if (!x.success) return void other();
      facts.push({ f: 'tool_exec', callId: x.data.call_id, success: x.data.success, aggregatedOutput: x.data.stdout || x.data.stderr || undefined });
      break;
    }
    case 'mcp_tool_call_end': {
      const x = McpToolCallEndSchema.safeParse(ev);
      if (!x.success) return void other();
      const inv = x.data.invocation ?? undefined;
      const result = x.data.result;
      const ok = isObj(result) ? ('Ok' in result ? true : 'Err' in result ? false : undefined) : undefined;
      facts.push({
        f: 'tool_complete',
        callId: x.data.call_id,
        toolName: inv?.server && inv.tool ? `mcp__${inv.server}__${inv.tool}` : inv?.tool,
        toolKind: 'mcp',
        arguments: argString(inv?.arguments),
        output: argString(result),
        success: ok,
        durationMs: durationToMs(x.data.duration, 's'),
      });
      break;
    }
    case 'entered_review_mode':
      facts.push({ f: 'review', phase: 'entered', raw: ev });
      break;
    case 'exited_review_mode':
      facts.push({ f: 'review', phase: 'exited', raw: ev });
      break;
    default:
      other();
  }
}

function normalizeItemCompleted(ev: Obj, facts: LineFact[]): void {
  const p = ItemCompletedSchema.safeParse(ev);
  if (!p.success) {
    facts.push({ f: 'other', type: 'event_msg', subtype: 'item_completed', raw: ev });
    return;
  }
  const { item, thread_id: itemThreadId } = p.data;
  const turnId = optStr(p.data.turn_id);
  if (turnId) facts.push({ f: 'turn_ref', turnId, itemThreadId });
  const it = item as Obj;
  switch (item.type) {
    case 'UserMessage': {
      const text = textOf(it.content);
      const injected = isInjectedUserText(text);
      facts.push({ f: 'user_text', text, canonical: !injected, injected, origin: 'item_completed', turnId, itemThreadId, itemId: item.id, images: imageCount(it.content) });
      break;
    }
    case 'AgentMessage':
      facts.push({ f: 'assistant_text', text: textOf(it.content), canonical: false, origin: 'item_completed', turnId, itemThreadId, itemId: item.id, phase: optStr(it.phase) });
      break;
    case 'CommandExecution': {
      const c = CommandExecutionItemSchema.parse(it);
      let durationMs = durationToMs(c.duration, 's');
      if (durationMs === undefined && p.data.started_at_ms !== undefined && p.data.completed_at_ms !== undefined) durationMs = p.data.completed_at_ms - p.data.started_at_ms;
      if (!c.id) {
        facts.push({ f: 'other', type: 'event_msg', subtype: 'item_completed', raw: ev, itemThreadId });
        break;
      }
      facts.push({
        f: 'tool_exec',
        callId: c.id,
        itemThreadId,
        turnId,
        exitCode: c.exit_code,
        durationMs,
        command: c.command,
        cwd: c.cwd,
        aggregatedOutput: c.aggregated_output,
        status: c.status,
        success: c.exit_code !== undefined ? c.exit_code === 0 : c.status === 'completed' ? true : c.status === 'failed' || c.status === 'declined' ? false : undefined,
      });
      break;
    }
    case 'EnteredReviewMode':
      facts.push({ f: 'review', phase: 'entered', raw: it, itemThreadId, turnId });
      break;
    case 'ExitedReviewMode':
      facts.push({ f: 'review', phase: 'exited', raw: it, itemThreadId, turnId });
      break;
    default:
      facts.push({ f: 'other', type: 'event_msg', subtype: `item_completed:${item.type}`, raw: ev, itemThreadId });
  }
}

// ---- oversized lines ----------------------------------------------------------------------------

/** Facts from a line too long to keep: read what its head shows (spec: compacted history can be tens of MB). */
export function normalizeOversized(raw: RawLine): NormalizedLine {
  const head = raw.head ?? '';
  const s = sniffHead(head);
  const out: NormalizedLine = { format: s.enveloped ? 'envelope' : 'bare', ts: parseTs(s.timestamp), ordinal: s.ordinal, truncated: true, facts: [] };
  const facts = out.facts;
  const preview = head.slice(0, 2048);
  const itemType = s.enveloped ? (s.type === 'response_item' ? s.payloadType : undefined) : s.type;
  if (s.enveloped && s.type === 'compacted') {
    facts.push({ f: 'compaction', message: jsonStringPrefix(head, 'message')?.text });
  } else if (s.enveloped && s.type === 'session_meta' && s.id) {
    const g = (k: string) => jsonStringPrefix(head, k);
    const f = (k: string) => {
      const r = g(k);
      return r?.complete ? r.text : undefined;
    };
    const meta = SessionMetaSchema.parse({
      id: s.id,
      session_id: f('session_id'),
      timestamp: f('timestamp'),
      cwd: f('cwd'),
      originator: f('originator'),
      cli_version: f('cli_version'),
      thread_source: f('thread_source'),
      parent_thread_id: f('parent_thread_id'),
      forked_from_id: f('forked_from_id'),
      model_provider: f('model_provider'),
    });
    facts.push({ f: 'session_meta', meta, raw: { truncated: true, head: preview } });
  } else if (itemType === 'function_call_output' || itemType === 'custom_tool_call_output') {
    const o = jsonStringPrefix(head, 'output');
    const info = parseToolOutput(o?.text ?? '');
    facts.push({ f: 'tool_output', callId: s.callId, output: o?.text, outputTruncated: true, exitCode: info.exitCode, durationMs: info.durationMs, success: info.success });
  } else if (itemType === 'function_call' || itemType === 'custom_tool_call') {
    const a = jsonStringPrefix(head, itemType === 'function_call' ? 'arguments' : 'input');
    facts.push({ f: 'tool_call', callId: s.callId, toolName: s.name, toolKind: itemType === 'function_call' ? 'function' : 'custom', arguments: a?.text, argumentsTruncated: true, turnId: s.turnId });
  } else if (itemType === 'message' && (s.role === 'user' || s.role === 'assistant')) {
    const t = jsonStringPrefix(head, 'text')?.text ?? '';
    if (s.role === 'user') facts.push({ f: 'user_text', text: t, canonical: !s.enveloped && !isInjectedUserText(t), injected: isInjectedUserText(t), origin: s.enveloped ? 'response_item' : 'bare_item' });
    else facts.push({ f: 'assistant_text', text: t, canonical: true, origin: s.enveloped ? 'response_item' : 'bare_item' });
  } else if (s.enveloped && s.type === 'event_msg' && s.payloadType === 'user_message') {
    const t = jsonStringPrefix(head, 'message')?.text ?? '';
    facts.push({ f: 'user_text', text: t, canonical: !isInjectedUserText(t), injected: isInjectedUserText(t), origin: 'event_msg' });
  } else if (s.type && (s.enveloped ? ENVELOPE_TYPES.has(s.type) : RESPONSE_ITEM_TYPES.has(s.type))) {
    if (s.turnId && s.enveloped && s.type === 'event_msg') facts.push({ f: 'turn_ref', turnId: s.turnId });
    facts.push({ f: 'other', type: s.type, subtype: s.enveloped ? s.payloadType : undefined, head: preview });
  } else {
    facts.push({ f: 'skip', reason: 'oversized_unparsed', detail: `line of ${raw.bytes} bytes over the size limit; type not recognised from its head` }, { f: 'other', type: s.type ?? 'unknown', head: preview });
  }
  return out;
}

/** For the line reader: how many bytes of a line to keep, decided from its first bytes. */
export function lineLimitFor(maxLineBytes: number, maxToolOutputBytes: number): (head: Buffer) => number {
  return (headBuf) => {
    const s = sniffTypes(headBuf.toString('utf8', 0, Math.min(headBuf.length, 4096)));
    if (s.enveloped && (s.type === 'compacted' || s.type === 'world_state')) return 0; // keep the head only
    const itemType = s.enveloped ? (s.type === 'response_item' ? s.payloadType : undefined) : s.type;
    if (itemType === 'function_call_output' || itemType === 'custom_tool_call_output') return maxToolOutputBytes;
    if (s.enveloped && s.type === 'event_msg' && (s.payloadType === 'item_completed' || s.payloadType === 'exec_command_end')) return maxToolOutputBytes;
    return maxLineBytes;
  };
}
