// The inputs the fuzz targets are built from (decisions/0029): values that sit on or past a bound,
// mutations of real payloads (a value replaced, a key dropped, a container swapped), and byte-level
// damage to encoded bodies. Starting from real captures keeps most cases deep inside the decoders
// instead of failing at the first brace.
import fc from 'fast-check';
import { MAX_ANY_VALUE_DEPTH, MAX_ID_CHARS, MAX_INT32, MAX_TOKENS_PER_RESPONSE } from '../../../src/core/bounds.js';

/** Strings that have broken parsers before: NUL and other controls, lone surrogates, over-long text. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00',
    '\u007f',
    '\r\n',
    '%00',
    '..',
    'null',
    '[]',
    '{}',
  ),
  fc.constantFrom('0', '-1', '1e400', '9007199254740993', '18446744073709551616', 'NaN', 'Infinity', '0x10', '1.5'),
  fc.constantFrom('2026-01-01', '1970-01-01T00:00:00Z', '2100-01-01T00:00:00Z', '9999-12-31', 'not a date'),
  fc.integer({ min: MAX_ID_CHARS - 1, max: MAX_ID_CHARS + 2 }).map((n) => 'i'.repeat(n)),
  fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers on and past each bound the sources enforce (core/bounds.ts), and the IEEE odd ones. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, -1, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64),
  fc.constantFrom(MAX_TOKENS_PER_RESPONSE, MAX_TOKENS_PER_RESPONSE + 1, MAX_INT32, MAX_INT32 + 1),
  fc.constantFrom(Date.now(), Date.now() * 1000, Date.now() * 1_000_000, 1_420_070_399_999, 4_102_444_800_000),
);

/** A nesting of arrays deeper than any decoder accepts (OTLP AnyValue, JSON recursion). */
const deep: fc.Arbitrary<unknown> = fc.integer({ min: MAX_ANY_VALUE_DEPTH - 1, max: 200 }).map((d) => {
  let v: unknown = 1;
  for (let i = 0; i < d; i++) v = [v];
  return v;
});

/** Any JSON value, weighted towards the nasty ones. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: nastyNumber, weight: 4 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: deep, weight: 1 },
);

type Path = (string | number)[];

function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (at.length) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths((v as any)[k], [...at, k], out);
  return out;
}

/** One edit of a JSON document: which node (an index into its paths, modulo) and what becomes of it. */
export type Edit = { at: number; op: 'set' | 'delete' | 'wrap' | 'dup'; value: unknown };

export const edits = (max = 6): fc.Arbitrary<Edit[]> =>
  fc.array(
    fc.record({ at: fc.nat(), op: fc.constantFrom('set', 'set', 'set', 'delete', 'wrap', 'dup'), value: nastyJson }),
    { minLength: 1, maxLength: max },
  ) as fc.Arbitrary<Edit[]>;

/** `seed` with `edits` applied (a fresh copy; the seed is left alone). */
export function applyEdits(seed: unknown, list: Edit[]): unknown {
  const doc = structuredClone(seed);
  for (const e of list) {
    const all = paths(doc);
    if (!all.length) return e.op === 'set' ? e.value : doc;
    const p = all[e.at % all.length]!;
    let parent: any = doc;
    for (const k of p.slice(0, -1)) parent = parent[k];
    const k = p.at(-1)!;
    if (e.op === 'set') parent[k] = e.value;
    else if (e.op === 'wrap') parent[k] = [parent[k]];
    else if (e.op === 'dup' && Array.isArray(parent)) parent.push(structuredClone(parent[k as number]));
    else if (Array.isArray(parent)) parent.splice(k as number, 1);
    else delete parent[k];
  }
  return doc;
}

/** Damage to encoded bytes: flip, overwrite, insert, delete, truncate. */
export type ByteEdit = { at: number; op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate'; byte: number };

export const byteEdits = (max = 8): fc.Arbitrary<ByteEdit[]> =>
  fc.array(
    fc.record({
      at: fc.nat(),
      op: fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: max },
  ) as fc.Arbitrary<ByteEdit[]>;

export function applyByteEdits(seed: Buffer, list: ByteEdit[]): Buffer {
  let b = Buffer.from(seed);
  for (const e of list) {
    if (!b.length) break;
    const i = e.at % b.length;
    if (e.op === 'flip') b[i] = b[i]! ^ (1 << (e.byte % 8));
    else if (e.op === 'set') b[i] = e.byte;
    else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([e.byte]), b.subarray(i)]);
    else if (e.op === 'delete') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    else b = b.subarray(0, i);
  }
  return b;
}
