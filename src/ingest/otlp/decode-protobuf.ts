// OTLP/protobuf logs decoded with protobufjs' Reader, lazily. The generated decoder materialises
// every attribute of every record, and most of a Codex batch (SSE deltas, startup phases, request
// timings) is discarded right after; here a record's attributes are only decoded once its
// `event.name` (and `event.kind`) says it becomes a fact. Field numbers: opentelemetry-proto
// logs/v1, common/v1, resource/v1 (the same ones as proto.ts).
import protobuf from 'protobufjs';
import { MAX_ANY_VALUE_DEPTH } from '../../core/bounds.js';
import { TooDeepError, type AttrValue } from './attributes.js';
import type { DecodedLogs, OtlpLogRecord } from './decode.js';
import { tooManyRecords } from './too-many-records.js';
import { isCountedEvent } from './relevance.js';

type Reader = protobuf.Reader;
const LEN = 2;

function expectLen(wire: number, what: string) {
  if (wire !== LEN) throw new Error(`${what} has wire type ${wire}, expected length-delimited`);
}

function anyValue(r: Reader, end: number, depth = 0): AttrValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new TooDeepError();
  let out: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    switch (field) {
      case 1:
        out = r.string();
        break;
      case 2:
        out = r.bool();
        break;
      case 3:
        out = r.int64().toString();
        break;
      case 4:
        out = r.double();
        break;
      case 5: {
        const e = r.uint32() + r.pos;
        const arr: AttrValue[] = [];
        while (r.pos < e) {
          const t = r.uint32();
          if (t >>> 3 === 1) arr.push(anyValue(r, r.uint32() + r.pos, depth + 1));
          else r.skipType(t & 7);
        }
        out = arr;
        break;
      }
      case 6: {
        const e = r.uint32() + r.pos;
        const obj: Record<string, AttrValue> = {};
        while (r.pos < e) {
          const t = r.uint32();
          if (t >>> 3 === 1) keyValueInto(r, r.uint32() + r.pos, obj, depth + 1);
          else r.skipType(t & 7);
        }
        out = obj;
        break;
      }
      case 7:
        out = Buffer.from(r.bytes()).toString('base64');
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  r.pos = end;
  return out;
}

function keyValueInto(r: Reader, end: number, into: Record<string, AttrValue>, depth = 0): void {
  let key = '';
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) key = r.string();
    else if (tag >>> 3 === 2) value = anyValue(r, r.uint32() + r.pos, depth);
    else r.skipType(tag & 7);
  }
  r.pos = end;
  into[key] = value;
}

function attributes(r: Reader, ranges: number[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (let i = 0; i < ranges.length; i += 2) {
    r.pos = ranges[i];
    keyValueInto(r, ranges[i + 1], out);
  }
  return out;
}

// Reads only the string value of a KeyValue whose key is `event.name` or `event.kind`.
function peekEventAttr(r: Reader, start: number, end: number, seen: { name?: string; kind?: string }): void {
  r.pos = start;
  const tag = r.uint32();
  if (tag >>> 3 !== 1) return;
  const keyLen = r.uint32();
  if (keyLen !== 10) return; // both keys are ten bytes long: skip every other key without decoding it
  const key = (r.buf as Buffer).toString('utf8', r.pos, r.pos + keyLen);
  r.pos += keyLen;
  if (key !== 'event.name' && key !== 'event.kind') return;
  const vtag = r.uint32();
  if (vtag >>> 3 !== 2) return;
  const v = anyValue(r, r.uint32() + r.pos);
  if (typeof v === 'string') seen[key === 'event.name' ? 'name' : 'kind'] = v;
  void end;
}

export function decodeLogsProtobuf(body: Buffer, maxRecords = Infinity): DecodedLogs {
  const r = protobuf.Reader.create(body);
  const out: DecodedLogs = { records: [], invalid: [], noise: 0 };
  let index = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) {
      r.skipType(tag & 7);
      continue;
    }
    expectLen(tag & 7, 'resource_logs');
    const rlEnd = r.uint32() + r.pos;
    let resource: Record<string, AttrValue> | string = {};
    const scopes: [number, number][] = [];
    while (r.pos < rlEnd) {
      const t = r.uint32();
      const f = t >>> 3;
      if (f === 1) {
        expectLen(t & 7, 'resource');
        const e = r.uint32() + r.pos;
        const ranges: number[] = [];
        while (r.pos < e) {
          const rt = r.uint32();
          if (rt >>> 3 === 1) {
            const len = r.uint32();
            ranges.push(r.pos, r.pos + len);
            r.pos += len;
          } else r.skipType(rt & 7);
        }
        try {
          resource = attributes(r, ranges);
        } catch (err) {
          if (!(err instanceof TooDeepError)) throw err;
          resource = `resource ${err.message}`; // each of its records is reported invalid
        }
        r.pos = e;
      } else if (f === 2) {
        expectLen(t & 7, 'scope_logs');
        const len = r.uint32();
        scopes.push([r.pos, r.pos + len]);
        r.pos += len;
      } else r.skipType(t & 7);
    }
    for (const [sStart, sEnd] of scopes) {
      r.pos = sStart;
      let scope = '';
      while (r.pos < sEnd) {
        const t = r.uint32();
        const f = t >>> 3;
        if (f === 1) {
          const e = r.uint32() + r.pos;
          while (r.pos < e) {
            const st = r.uint32();
            if (st >>> 3 === 1) scope = r.string();
            else r.skipType(st & 7);
          }
        } else if (f === 2) {
          expectLen(t & 7, 'log_records');
          const lrEnd = r.uint32() + r.pos;
          const i = index++;
          // Refused while decoding: memory stays that of the records up to the limit.
          if (index > maxRecords) throw tooManyRecords(maxRecords);
          if (typeof resource === 'string') out.invalid.push({ index: i, reason: resource });
          else {
            try {
              const rec = logRecord(r, lrEnd, i, resource, scope);
              if (rec) out.records.push(rec);
              else out.noise++;
            } catch (err) {
              if (!(err instanceof TooDeepError)) throw err;
              out.invalid.push({ index: i, reason: err.message });
            }
          }
          r.pos = lrEnd;
        } else r.skipType(t & 7);
      }
    }
    r.pos = rlEnd;
  }
  return out;
}

// A fixed64 (timestamps in ns) as a decimal string. protobufjs' fixed64() returns a Long whose
// toString() divides in JavaScript: ~5 % of the decode time on the ingest bench; BigInt's is native.
function fixed64String(r: Reader): string {
  const p = r.pos;
  if (p + 8 > r.len) return r.fixed64().toString(); // let protobufjs raise its range error
  const b = r.buf;
  const lo = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  const hi = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
  r.pos = p + 8;
  return hi === 0 ? String(lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

// The record, or null for one that can carry no fact (DecodedLogs.noise): its times and severity
// are then never turned into strings.
function logRecord(
  r: Reader,
  end: number,
  index: number,
  resource: Record<string, AttrValue>,
  scope: string,
): OtlpLogRecord | null {
  let timeAt = -1;
  let observedAt = -1;
  let severityAt = -1;
  const ranges: number[] = [];
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1:
      case 11:
        if ((t & 7) !== 1) {
          r.skipType(t & 7);
          break;
        }
        if (r.pos + 8 > r.len) r.fixed64(); // let protobufjs raise its range error
        if (t >>> 3 === 1) timeAt = r.pos;
        else observedAt = r.pos;
        r.pos += 8;
        break;
      case 3:
        if ((t & 7) === LEN) severityAt = r.pos;
        r.skipType(t & 7);
        break;
      case 6: {
        expectLen(t & 7, 'attributes');
        const len = r.uint32();
        ranges.push(r.pos, r.pos + len);
        r.pos += len;
        break;
      }
      default:
        r.skipType(t & 7);
    }
  }
  const seen: { name?: string; kind?: string } = {};
  for (let i = 0; i < ranges.length && (seen.name === undefined || seen.kind === undefined); i += 2)
    peekEventAttr(r, ranges[i], ranges[i + 1], seen);
  if (!isCountedEvent(seen.name, seen.kind)) return null;
  const attrs = attributes(r, ranges);
  const time = timeAt < 0 ? '0' : ((r.pos = timeAt), fixed64String(r));
  const observed = observedAt < 0 ? '0' : ((r.pos = observedAt), fixed64String(r));
  const severityText = severityAt < 0 ? undefined : ((r.pos = severityAt), r.string());
  return { index, resource, scope, timeUnixNano: time, observedTimeUnixNano: observed, severityText, attrs };
}
