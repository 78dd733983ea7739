// Decodes an OTLP/HTTP logs body (JSON or protobuf, already decompressed) into flat records.
// A malformed envelope is an error for the whole request; a malformed record is reported by index
// so that the rest of the batch still lands.
import { StewardError } from '../../core/errors.js';
import { decodeLogsProtobuf } from './decode-protobuf.js';
import { isCountedEvent } from './relevance.js';
import { anyValue, attributeMap, TooDeepError, type AttrValue } from './attributes.js';
import { countJsonArrayElements } from '../../platform/http/json-count.js';

import { tooManyRecords } from './too-many-records.js';

export interface OtlpLogRecord {
  index: number;
  resource: Record<string, AttrValue>;
  scope: string;
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityText?: string;
  attrs: Record<string, AttrValue>;
}

export interface DecodedLogs {
  records: OtlpLogRecord[];
  invalid: { index: number; reason: string }[];
  // Valid records that can carry no fact (relevance.ts): counted, not materialised. Three of four
  // records of a Codex batch; building them was a tenth of what an ingest request allocated.
  noise: number;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
// int64/fixed64 arrive as strings in OTLP/JSON (some encoders send numbers).
const str = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '');
// A time field is a fixed64 (protobuf can carry nothing else): in JSON, decimal digits up to 2^64-1.
// Anything else made the record's key from arbitrary text (found by the long fuzz run: a NUL in
// observedTimeUnixNano reached a PostgreSQL text column, a 500).
const MAX_U64 = 2n ** 64n - 1n;
function nanos(x: unknown, field: string): string {
  const s = str(x);
  if (s === '') return '0';
  if (/^\d{1,20}$/.test(s) && BigInt(s) <= MAX_U64) return s;
  throw new InvalidRecord(`${field} must be a time in Unix nanoseconds (an unsigned 64-bit integer)`);
}
class InvalidRecord extends Error {}

export function decodeJson(body: Buffer, maxRecords = Infinity): DecodedLogs {
  // Counted on the bytes first, so an oversized batch costs a scan, not an object per record.
  if (countJsonArrayElements(body, 'logRecords', maxRecords) > maxRecords) throw tooManyRecords(maxRecords);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new StewardError('malformed_body', `body is not valid JSON: ${(e as Error).message}`);
  }
  return flatten(parsed, maxRecords);
}

export function decodeProtobuf(body: Buffer, maxRecords = Infinity): DecodedLogs {
  try {
    return decodeLogsProtobuf(body, maxRecords);
  } catch (e) {
    if (e instanceof StewardError) throw e;
    throw new StewardError(
      'malformed_body',
      `body is not a valid OTLP ExportLogsServiceRequest protobuf: ${(e as Error).message}`,
    );
  }
}

function flatten(req: unknown, maxRecords: number): DecodedLogs {
  if (!isObj(req))
    throw new StewardError('malformed_body', 'OTLP/JSON body must be an ExportLogsServiceRequest object');
  if (req.resourceLogs !== undefined && !Array.isArray(req.resourceLogs)) {
    throw new StewardError('malformed_body', 'resourceLogs must be an array');
  }
  const out: DecodedLogs = { records: [], invalid: [], noise: 0 };
  let index = 0;
  for (const rl of arr(req.resourceLogs)) {
    // A resource too deep to read makes each of its records invalid (reported one by one).
    let resource: Record<string, AttrValue> | string;
    try {
      resource = isObj(rl) && isObj(rl.resource) ? attributeMap(rl.resource.attributes) : {};
    } catch (e) {
      if (!(e instanceof TooDeepError)) throw e;
      resource = `resource ${e.message}`;
    }
    for (const sl of isObj(rl) ? arr(rl.scopeLogs) : []) {
      const scope = isObj(sl) && isObj(sl.scope) ? str(sl.scope.name) : '';
      for (const lr of isObj(sl) ? arr(sl.logRecords) : []) {
        const i = index++;
        if (index > maxRecords) throw tooManyRecords(maxRecords); // a key the byte count did not see
        if (!isObj(lr)) {
          out.invalid.push({ index: i, reason: 'log record is not an object' });
          continue;
        }
        if (lr.attributes !== undefined && !Array.isArray(lr.attributes)) {
          out.invalid.push({ index: i, reason: 'attributes must be an array' });
          continue;
        }
        if (typeof resource === 'string') {
          out.invalid.push({ index: i, reason: resource });
          continue;
        }
        try {
          if (!isCounted(lr.attributes as unknown[] | undefined)) {
            out.noise++;
            continue;
          }
          out.records.push({
            index: i,
            resource,
            scope,
            timeUnixNano: nanos(lr.timeUnixNano, 'timeUnixNano'),
            observedTimeUnixNano: nanos(lr.observedTimeUnixNano, 'observedTimeUnixNano'),
            severityText: typeof lr.severityText === 'string' ? lr.severityText : undefined,
            attrs: attributeMap(lr.attributes),
          });
        } catch (e) {
          if (!(e instanceof TooDeepError) && !(e instanceof InvalidRecord)) throw e;
          out.invalid.push({ index: i, reason: e.message });
        }
      }
    }
  }
  return out;
}

// Reading `event.name` (and `event.kind`) straight from the attribute list lets noise records skip
// the full attribute map (see relevance.ts).

function rawAttr(list: unknown[] | undefined, key: string): string | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const kv of list) {
    if (isObj(kv) && kv.key === key) {
      const v = anyValue(kv.value);
      return typeof v === 'string' ? v : undefined;
    }
  }
  return undefined;
}

const eventName = (list: unknown[] | undefined) => rawAttr(list, 'event.name');

function isCounted(list: unknown[] | undefined): boolean {
  const name = eventName(list);
  return isCountedEvent(name, name === 'codex.sse_event' ? rawAttr(list, 'event.kind') : undefined);
}
