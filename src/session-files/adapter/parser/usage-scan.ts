// The usage-only pass (steward report): which lines the parser may leave undecoded. A line is looked
// at as bytes first; it is skipped, without JSON.parse and without ever becoming a string, only when
// none of its facts can change a response, a counted turn, a thread or a model. What the handlers
// read from such a line is limited to: the envelope's timestamp (a later line without one takes it),
// its ordinal (the file's format) and the turn ids it names (a turn id not seen before opens a turn),
// so those are read from the bytes and applied; everything else on it (tool calls, replies,
// reasoning, developer text, world state, compaction history) only ever makes content records.
import type { ParserState } from './state.js';

// Envelope types whose facts feed usage, turns, threads or models: always decoded. event_msg is
// decoded unless its payload type is one of SKIP_EVENTS (unknown ones are decoded, to be safe).
const KEEP_TYPES = new Set(['session_meta', 'turn_context', 'token_usage_record']);
const SKIP_EVENTS = new Set([
  'agent_message',
  'agent_message_delta',
  'agent_reasoning',
  'agent_reasoning_delta',
  'agent_reasoning_raw_content',
  'agent_reasoning_section_break',
  'exec_command_begin',
  'exec_command_end',
  'exec_command_output_delta',
  'patch_apply_begin',
  'patch_apply_end',
  'mcp_tool_call_begin',
  'mcp_tool_call_end',
  'web_search_begin',
  'web_search_end',
  'item_started',
  'item_completed', // unless its item is a UserMessage (a typed prompt): see below
  'entered_review_mode',
  'exited_review_mode',
  'background_event',
  'plan_update',
  'turn_diff',
]);

const HEAD = 512;
const ENVELOPE = /^\s*\{\s*"timestamp"\s*:\s*"([^"\\]*)"/;
const TYPE = /"type"\s*:\s*"([A-Za-z_]+)"/g;
const ORDINAL = /"ordinal"\s*:\s*\d/;
// Each key is searched for by a short piece of it (`at` bytes in) whose first byte is rare in session
// text: Buffer#indexOf finds a pattern by its first byte, and a '"' or a lower-case letter comes every
// few bytes, so searching the whole key cost ~3x as much (decision 0047).
interface Key {
  bytes: Buffer;
  anchor: Buffer;
  at: number;
}
const key = (k: string, anchor: string): Key => ({
  bytes: Buffer.from(k),
  anchor: Buffer.from(anchor),
  at: k.indexOf(anchor),
});
const TURN_ID = key('"turn_id"', '_id"');
const TIMESTAMP = key('"timestamp"', 'mp"');
const USER_MESSAGE = key('"UserMessage"', 'UserM');
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

export interface SkippedLine {
  ts?: number; // the envelope's timestamp
  ordinal: boolean; // the envelope has an ordinal (0.169 format)
}

// Plain loops, not generators: this runs on every line of a usage-only read.
/** Index of the first `"key"` in buf at or after `from`, or -1. */
function nextKey(buf: Buffer, k: Key, from: number): number {
  for (let i = buf.indexOf(k.anchor, from + k.at); i >= 0; i = buf.indexOf(k.anchor, i + k.anchor.length)) {
    const s = i - k.at;
    const e = s + k.bytes.length;
    if (s >= from && e <= buf.length && buf.compare(k.bytes, 0, k.bytes.length, s, e) === 0) return s;
  }
  return -1;
}

/** Index of the first `"key"` at or after `from` that is a key of the JSON (not escaped in a string), or -1. */
function nextUnescaped(buf: Buffer, k: Key, from: number): number {
  for (let i = nextKey(buf, k, from); i >= 0; i = nextKey(buf, k, i + 1))
    if (i === 0 || buf[i - 1] !== BACKSLASH) return i;
  return -1;
}

/** The string value after `"key"` at `at`, or undefined when it is not a plain string. */
function stringValueAt(buf: Buffer, at: number, keyLen: number): string | undefined {
  let i = at + keyLen;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x3a)) i++; // spaces and the ':'
  if (buf[i] !== QUOTE) return undefined;
  const end = buf.indexOf(QUOTE, i + 1);
  if (end < 0) return undefined;
  const v = buf.toString('latin1', i + 1, end);
  return v.includes('\\') ? undefined : v;
}

/** Would refTurn(id) change the state? (A turn id neither current nor known opens a turn.) */
function turnIsNew(st: ParserState, id: string): boolean {
  if (st.turn?.id === id) return false;
  return st.mirrorTurns.has(id) || !st.knownTurns.has(id);
}

/**
 * The line's skip record when the usage-only parser may leave it undecoded, else undefined (decode
 * it). `st` is the state before the line; nothing here changes it.
 */
export function usageSkippable(buf: Buffer, st: ParserState): SkippedLine | undefined {
  // Copied parent history is tracked by the time gaps between lines, and the first line places the
  // thread: both need every line.
  if (st.inherited?.active || !st.threadPending) return undefined;
  const head = buf.toString('latin1', 0, Math.min(buf.length, HEAD));
  const env = ENVELOPE.exec(head);
  if (!env) return undefined; // not an envelope (bare format, junk): decoded as always
  TYPE.lastIndex = 0;
  const type = TYPE.exec(head)?.[1];
  if (!type || KEEP_TYPES.has(type)) return undefined;
  if (type === 'event_msg') {
    const p = head.indexOf('"payload"');
    TYPE.lastIndex = p < 0 ? head.length : p;
    const sub = p < 0 ? undefined : TYPE.exec(head)?.[1];
    if (!sub || !SKIP_EVENTS.has(sub)) return undefined;
    if (sub === 'item_completed' && nextKey(buf, USER_MESSAGE, 0) >= 0) return undefined;
  }
  // A line that does not end its object, or holds a second record (a writer that died mid-line
  // and restarted), is decoded: the parser recovers the record glued to it.
  let end = buf.length - 1;
  while (end > 0 && (buf[end] === 0x20 || buf[end] === 0x0d || buf[end] === 0x09)) end--;
  if (buf[end] !== 0x7d) return undefined;
  if (nextUnescaped(buf, TIMESTAMP, env[0].length) >= 0) return undefined;
  for (let at = nextUnescaped(buf, TURN_ID, 0); at >= 0; at = nextUnescaped(buf, TURN_ID, at + 1)) {
    const id = stringValueAt(buf, at, TURN_ID.bytes.length);
    if (id === undefined || turnIsNew(st, id)) return undefined;
  }
  const ms = Date.parse(env[1] ?? '');
  return { ts: Number.isFinite(ms) ? ms : undefined, ordinal: ORDINAL.test(head) };
}
