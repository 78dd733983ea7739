// OTLP attribute values, read defensively: Codex sends numbers as stringValue for some keys and
// as intValue (itself a string in OTLP/JSON) for others, and flags as strings or booleans.
export type AttrValue = string | number | boolean | null | AttrValue[] | { [k: string]: AttrValue };

import { MAX_ANY_VALUE_DEPTH } from '../../core/bounds.js';

type Obj = Record<string, unknown>;

/** An AnyValue nested deeper than MAX_ANY_VALUE_DEPTH: the decoders reject its record, not the batch. */
export class TooDeepError extends Error {
  constructor() {
    super(`attribute value nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
}
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

// OTLP/JSON AnyValue (the protobuf wire format has its own reader in decode-protobuf.ts).
// Recursive, with the depth bounded so a hostile body cannot overflow the stack.
export function anyValue(v: unknown, depth = 0): AttrValue {
  if (!isObj(v)) return null;
  if (depth > MAX_ANY_VALUE_DEPTH) throw new TooDeepError();
  if ('stringValue' in v) return typeof v.stringValue === 'string' ? v.stringValue : String(v.stringValue ?? '');
  if ('boolValue' in v) return v.boolValue === true || v.boolValue === 'true';
  if ('intValue' in v) return typeof v.intValue === 'number' ? v.intValue : String(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v)
    return isObj(v.arrayValue) && Array.isArray(v.arrayValue.values)
      ? v.arrayValue.values.map((x: unknown) => anyValue(x, depth + 1))
      : [];
  if ('kvlistValue' in v) return isObj(v.kvlistValue) ? attributeMap(v.kvlistValue.values, depth + 1) : {};
  if ('bytesValue' in v) return String(v.bytesValue);
  return null;
}

export function attributeMap(list: unknown, depth = 0): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value, depth);
  }
  return out;
}

export function attrString(a: Record<string, AttrValue>, key: string): string | undefined {
  const v = a[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

// A non-negative integer, or undefined when absent; NaN when present but not a number.
export function attrInt(a: Record<string, AttrValue>, key: string): number | undefined {
  const v = a[key];
  if (v === null || v === undefined || v === '') return undefined;
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.0+)?$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : NaN;
}

export function attrBool(a: Record<string, AttrValue>, key: string): boolean | undefined {
  const v = a[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}
