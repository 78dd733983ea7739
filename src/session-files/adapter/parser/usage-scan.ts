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
const USER_MESSAGE = key('"UserMessage"', 'UserM');
const TIMESTAMP = Buffer.from('"timestamp"');
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const BRACE = 0x7b;
// The envelope as Codex writes it, read from the bytes without a string or a regex (decision 0060):
// {"timestamp":"…"[,"ordinal":N],"type":"…"[,"payload":{"type":"…"] …
const OPEN = Buffer.from('{"timestamp":"');
const ORDINAL_KEY = Buffer.from(',"ordinal":');
const TYPE_KEY = Buffer.from(',"type":"');
const PAYLOAD_TYPE_KEY = Buffer.from(',"payload":{"type":"');

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

/** Does `k` lie in `buf` at `at`? A loop: Buffer#compare's call into C++ cost more than these few bytes. */
function startsAt(buf: Buffer, k: Buffer, at: number): boolean {
  if (at + k.length > buf.length) return false;
  for (let i = 0; i < k.length; i++) if (buf[at + i] !== k[i]) return false;
  return true;
}

/** End of the [A-Za-z_]+ run starting at `at` when a '"' closes it within the head, else -1. */
function nameEnd(buf: Buffer, at: number): number {
  let i = at;
  for (; i < buf.length && i < HEAD; i++) {
    const c = buf[i]!;
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f)) break;
  }
  return i > at && i < HEAD && buf[i] === QUOTE ? i : -1;
}

export interface Envelope {
  ts: string; // the envelope's timestamp as written
  end: number; // where the timestamp's string ends (the scan for a second record starts there)
  type?: string; // the record type
  sub?: string; // event_msg's payload type
  ordinal: boolean;
}

/**
 * The envelope read from the bytes when it is written as Codex writes it; undefined for any other
 * form (then the regexes over the head decide, as before). Equal to them by construction: in this
 * form the first `"type"` and `"payload"` of the head are these, the values found are what the
 * regexes' [A-Za-z_]+ take, and all of it lies within the head.
 */
function compactEnvelope(buf: Buffer): Envelope | undefined {
  if (!startsAt(buf, OPEN, 0)) return undefined;
  const tsEnd = buf.indexOf(QUOTE, OPEN.length);
  if (tsEnd < 0 || tsEnd >= HEAD) return undefined;
  const bs = buf.indexOf(BACKSLASH, OPEN.length);
  if (bs >= 0 && bs < tsEnd) return undefined;
  let i = tsEnd + 1;
  let ordinal = false;
  if (startsAt(buf, ORDINAL_KEY, i)) {
    let j = i + ORDINAL_KEY.length;
    while (j < buf.length && buf[j]! >= 0x30 && buf[j]! <= 0x39) j++;
    if (j === i + ORDINAL_KEY.length) return undefined;
    ordinal = true;
    i = j;
  }
  if (!startsAt(buf, TYPE_KEY, i)) return undefined;
  const typeEnd = nameEnd(buf, i + TYPE_KEY.length);
  if (typeEnd < 0) return undefined;
  const env: Envelope = {
    ts: buf.toString('latin1', OPEN.length, tsEnd),
    end: tsEnd + 1,
    type: buf.toString('latin1', i + TYPE_KEY.length, typeEnd),
    // An ordinal elsewhere in the head counted before (older builds write none): still looked for,
    // by the regex only where the key's bytes lie in the head (a latin1 copy of every line's head was
    // the cost of each line without one).
    ordinal: ordinal || ordinalInHead(buf),
  };
  if (env.type !== 'event_msg') return env;
  if (!startsAt(buf, PAYLOAD_TYPE_KEY, typeEnd + 1)) return undefined;
  const subAt = typeEnd + 1 + PAYLOAD_TYPE_KEY.length;
  const subEnd = nameEnd(buf, subAt);
  if (subEnd < 0) return undefined;
  env.sub = buf.toString('latin1', subAt, subEnd);
  return env;
}

const ORDINAL_NAME = Buffer.from('"ordinal"');

/** ORDINAL.test over the line's first HEAD bytes. */
function ordinalInHead(buf: Buffer): boolean {
  const head = buf.length > HEAD ? buf.subarray(0, HEAD) : buf;
  if (head.indexOf(ORDINAL_NAME) < 0) return false;
  return ORDINAL.test(head.toString('latin1'));
}

/** The envelope by the regexes over the line's first HEAD bytes (any spacing, any key order). */
function envelopeOfHead(buf: Buffer): Envelope | undefined {
  const head = buf.toString('latin1', 0, Math.min(buf.length, HEAD));
  const m = ENVELOPE.exec(head);
  if (!m) return undefined;
  TYPE.lastIndex = 0;
  const env: Envelope = { ts: m[1] ?? '', end: m[0].length, type: TYPE.exec(head)?.[1], ordinal: ORDINAL.test(head) };
  if (env.type === 'event_msg') {
    const p = head.indexOf('"payload"');
    TYPE.lastIndex = p < 0 ? head.length : p;
    env.sub = p < 0 ? undefined : TYPE.exec(head)?.[1];
  }
  return env;
}

/**
 * Does the line hold the start of a record after its own, `{"timestamp"` (spaces allowed after the
 * brace)? A writer that died mid-line and restarted leaves one there, which the full decode
 * recovers. Searched by its '{', rare in session text where the 'm' of the key's piece was not
 * (decision 0060).
 */
function holdsSecondRecord(buf: Buffer, from: number): boolean {
  for (let i = buf.indexOf(BRACE, from); i >= 0; i = buf.indexOf(BRACE, i + 1)) {
    let j = i + 1;
    while (j < buf.length && (buf[j] === 0x20 || buf[j] === 0x09 || buf[j] === 0x0d)) j++;
    if (startsAt(buf, TIMESTAMP, j)) return true;
  }
  return false;
}

/** The line's envelope (timestamp, types, ordinal) from its first bytes, or undefined: not one. */
export function readEnvelope(buf: Buffer): Envelope | undefined {
  return compactEnvelope(buf) ?? envelopeOfHead(buf);
}

// Bare-format (pre-envelope) records as Codex wrote them whose facts only ever make content or
// tool calls: a tool call and its output, reasoning, an assistant's reply, the state marker. Such a
// line has no time (the line takes the last one) and names no turn unless it carries a turn id,
// which is looked for as on any skipped line; a user's message (a prompt) and the meta are decoded.
const BARE_SKIPPABLE = [
  '{"record_type":"state"}',
  '{"record_type":"state",',
  '{"type":"function_call",',
  '{"type":"function_call_output",',
  '{"type":"custom_tool_call",',
  '{"type":"custom_tool_call_output",',
  '{"type":"local_shell_call",',
  '{"type":"reasoning",',
  '{"type":"message","role":"assistant",',
].map((k) => Buffer.from(k));

/** Does the line end its object, name only known turns, and hold no second record (see below)? */
function closedWithKnownTurns(buf: Buffer, st: ParserState, from: number): boolean {
  let end = buf.length - 1;
  while (end > 0 && (buf[end] === 0x20 || buf[end] === 0x0d || buf[end] === 0x09)) end--;
  if (buf[end] !== 0x7d) return false;
  if (holdsSecondRecord(buf, from)) return false;
  for (let at = nextUnescaped(buf, TURN_ID, 0); at >= 0; at = nextUnescaped(buf, TURN_ID, at + 1)) {
    const id = stringValueAt(buf, at, TURN_ID.bytes.length);
    if (id === undefined || turnIsNew(st, id)) return false;
  }
  return true;
}

/**
 * May the usage-only parser leave this bare-format line undecoded (decision 0064)? Only once the
 * file's format and thread are placed, outside copied parent history, for the records above.
 */
export function bareSkippable(buf: Buffer, st: ParserState): boolean {
  if (st.inherited?.active || !st.threadPending || st.format === undefined) return false;
  if (buf[0] !== BRACE) return false;
  let known = false;
  for (const k of BARE_SKIPPABLE)
    if (startsAt(buf, k, 0)) {
      known = true;
      break;
    }
  return known && closedWithKnownTurns(buf, st, 1);
}

/**
 * The line's skip record when the usage-only parser may leave it undecoded, else undefined (decode
 * it). `st` is the state before the line; nothing here changes it. `env`: readEnvelope(buf), when
 * the caller has it already.
 */
export function usageSkippable(buf: Buffer, st: ParserState, env = readEnvelope(buf)): SkippedLine | undefined {
  // Copied parent history is tracked by the time gaps between lines, and the first line places the
  // thread: both need every line.
  if (st.inherited?.active || !st.threadPending) return undefined;
  if (!env) return undefined; // not an envelope (bare format, junk): decoded as always
  const type = env.type;
  if (!type || KEEP_TYPES.has(type)) return undefined;
  if (type === 'event_msg') {
    const sub = env.sub;
    if (!sub || !SKIP_EVENTS.has(sub)) return undefined;
    if (sub === 'item_completed' && nextKey(buf, USER_MESSAGE, 0) >= 0) return undefined;
  }
  // A line that does not end its object, or holds a second record, is decoded: the parser recovers
  // the record glued to it.
  if (!closedWithKnownTurns(buf, st, env.end)) return undefined;
  const ms = Date.parse(env.ts);
  return { ts: Number.isFinite(ms) ? ms : undefined, ordinal: env.ordinal };
}
