// session_meta in the usage-only pass: the line carries the model's instructions (`instructions`,
// `base_instructions.text`), often most of a short session file's bytes, and nothing a report reads
// comes from them (the thread's facts are its ids, times, source and versions; the text only ever
// makes the archive's session record, which this mode does not make). So their string values are
// cut out of the bytes before the line becomes a string and is parsed.
//
// Exactness: a value is cut only when its bytes are a valid JSON string body (no control bytes,
// only valid escapes), so the cut line parses exactly when the whole one does, to the same value but
// for those strings, now empty. A cut line that does not parse is decoded whole, as always.

const HEAD = 512;
const SESSION_META =
  /^\s*\{\s*"timestamp"\s*:\s*"[^"\\]*"\s*,(?:\s*"ordinal"\s*:\s*\d+\s*,)?\s*"type"\s*:\s*"session_meta"/;
const KEYS = [Buffer.from('"instructions"'), Buffer.from('"base_instructions"')];
const TEXT = Buffer.from('"text"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// What JSON.parse refuses inside a string: a control byte, or an escape it does not know. A `\` that
// is itself escaped may be flagged too, which only leaves the value uncut.
const NOT_A_STRING_BODY = /[\u0000-\u001f]|\\(?:[^"\\/bfnrtu]|u(?![0-9a-fA-F]{4}))/;

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0d;

function skipSpace(buf: Buffer, i: number): number {
  while (isSpace(buf[i])) i++;
  return i;
}

/** Index just after `:` and the spaces after it, following the key that ends at `i`, or -1. */
function afterColon(buf: Buffer, i: number): number {
  i = skipSpace(buf, i);
  return buf[i] === 0x3a ? skipSpace(buf, i + 1) : -1;
}

/** The closing quote of the string whose opening quote is at `open`, or -1. */
function closingQuote(buf: Buffer, open: number): number {
  for (let e = buf.indexOf(QUOTE, open + 1); e >= 0; e = buf.indexOf(QUOTE, e + 1)) {
    let n = 0;
    while (buf[e - 1 - n] === BACKSLASH) n++;
    if (n % 2 === 0) return e;
  }
  return -1;
}

/**
 * String bodies checked before, kept by a reader that reads file after file (decision 0064): the
 * instructions of one Codex version are the same in each of its session files, and comparing bytes
 * costs a twentieth of the regex's pass over a latin1 copy of them.
 */
export interface CheckedBodies {
  bodies: Buffer[];
}
const KEPT_BODIES = 4;
const KEEP_FROM_BYTES = 1024;

function isStringBody(buf: Buffer, start: number, end: number, checked: CheckedBodies | undefined): boolean {
  const long = checked !== undefined && end - start >= KEEP_FROM_BYTES;
  if (long)
    for (const b of checked.bodies)
      if (b.length === end - start && buf.compare(b, 0, b.length, start, end) === 0) return true;
  if (NOT_A_STRING_BODY.test(buf.toString('latin1', start, end))) return false;
  if (long) {
    if (checked.bodies.length >= KEPT_BODIES) checked.bodies.shift();
    checked.bodies.push(Buffer.from(buf.subarray(start, end)));
  }
  return true;
}

/** [start, end) of the string body to cut for the key at `at`, or undefined. */
function valueSpan(buf: Buffer, at: number, key: Buffer, checked?: CheckedBodies): [number, number] | undefined {
  // A key: its opening quote follows `{` or `,` (a quote inside a string is always escaped).
  let b = at - 1;
  while (b >= 0 && isSpace(buf[b])) b--;
  if (buf[b] !== 0x7b && buf[b] !== 0x2c) return undefined;
  let v = afterColon(buf, at + key.length);
  if (v < 0) return undefined;
  if (buf[v] === 0x7b) {
    // base_instructions: {"text": "..."}
    const t = skipSpace(buf, v + 1);
    if (buf.compare(TEXT, 0, TEXT.length, t, t + TEXT.length) !== 0) return undefined;
    v = afterColon(buf, t + TEXT.length);
    if (v < 0) return undefined;
  }
  if (buf[v] !== QUOTE) return undefined;
  const e = closingQuote(buf, v);
  if (e < 0 || !isStringBody(buf, v + 1, e, checked)) return undefined;
  return [v + 1, e];
}

/**
 * A session_meta line's bytes without its instruction strings, or undefined when it is not such a
 * line or has none to cut.
 */
export function metaWithoutInstructions(buf: Buffer, checked?: CheckedBodies): Buffer | undefined {
  if (!SESSION_META.test(buf.toString('latin1', 0, Math.min(buf.length, HEAD)))) return undefined;
  const spans: [number, number][] = [];
  for (const k of KEYS) {
    const at = buf.indexOf(k);
    const s = at < 0 ? undefined : valueSpan(buf, at, k, checked);
    if (s && s[1] > s[0]) spans.push(s);
  }
  if (!spans.length) return undefined;
  spans.sort((a, b) => a[0] - b[0]);
  const parts: Buffer[] = [];
  let from = 0;
  for (const [s, e] of spans) {
    parts.push(buf.subarray(from, s));
    from = e;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}
