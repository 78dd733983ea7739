// Decodes an OTLP/HTTP logs body (JSON or protobuf, already decompressed) into flat records.
// A malformed envelope is an error for the whole request; a malformed record is reported by index
// so that the rest of the batch still lands.
import { StewardError } from '../../core/errors.js';
import { ExportLogsServiceRequest } from './proto.js';
import { anyValue, attributeMap, type AttrValue } from './attributes.js';

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
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
// int64/fixed64 arrive as strings (JSON), numbers, or Long objects (protobufjs).
const str = (x: unknown): string =>
  typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'bigint' ? String(x) : isObj(x) && 'low' in x && 'high' in x ? String(x) : '';

export function decodeJson(body: Buffer): DecodedLogs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new StewardError('malformed_body', `body is not valid JSON: ${(e as Error).message}`);
  }
  return flatten(parsed, 'json');
}

// The decoded message is walked directly (no toObject copy): it has the same camelCase field names
// as OTLP/JSON, and attributes.ts reads its oneofs.
export function decodeProtobuf(body: Buffer): DecodedLogs {
  let obj: unknown;
  try {
    obj = ExportLogsServiceRequest.decode(body);
  } catch (e) {
    throw new StewardError('malformed_body', `body is not a valid OTLP ExportLogsServiceRequest protobuf: ${(e as Error).message}`);
  }
  return flatten(obj, 'protobuf');
}

function flatten(req: unknown, format: string): DecodedLogs {
  if (!isObj(req)) throw new StewardError('malformed_body', `OTLP ${format} body must be an ExportLogsServiceRequest object`);
  if (req.resourceLogs !== undefined && !Array.isArray(req.resourceLogs)) {
    throw new StewardError('malformed_body', 'resourceLogs must be an array');
  }
  const out: DecodedLogs = { records: [], invalid: [] };
  let index = 0;
  for (const rl of arr(req.resourceLogs)) {
    const resource = isObj(rl) && isObj(rl.resource) ? attributeMap(rl.resource.attributes) : {};
    for (const sl of isObj(rl) ? arr(rl.scopeLogs) : []) {
      const scope = isObj(sl) && isObj(sl.scope) ? str(sl.scope.name) : '';
      for (const lr of isObj(sl) ? arr(sl.logRecords) : []) {
        const i = index++;
        if (!isObj(lr)) {
          out.invalid.push({ index: i, reason: 'log record is not an object' });
          continue;
        }
        if (lr.attributes !== undefined && !Array.isArray(lr.attributes)) {
          out.invalid.push({ index: i, reason: 'attributes must be an array' });
          continue;
        }
        out.records.push({
          index: i,
          resource,
          scope,
          timeUnixNano: str(lr.timeUnixNano) || '0',
          observedTimeUnixNano: str(lr.observedTimeUnixNano) || '0',
          severityText: typeof lr.severityText === 'string' ? lr.severityText : undefined,
          attrs: isCounted(lr.attributes as unknown[] | undefined) ? attributeMap(lr.attributes) : { 'event.name': eventName(lr.attributes as unknown[] | undefined) ?? null },
        });
      }
    }
  }
  return out;
}

// Most of a Codex batch is streaming noise (SSE deltas, startup phases, API request timings).
// Reading `event.name` (and `event.kind`) straight from the attribute list lets those records skip
// the full attribute map; only records that normalize.ts turns into facts pay for it.
const COUNTED = new Set(['codex.conversation_starts', 'codex.user_prompt', 'codex.tool_decision', 'codex.tool_result']);

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
  if (name === undefined) return false;
  if (COUNTED.has(name)) return true;
  if (name === 'codex.sse_event') return rawAttr(list, 'event.kind') === 'response.completed';
  // Unknown codex.* events are kept whole: a later release may give them meaning.
  return name.startsWith('codex.') && !KNOWN_NOISE.has(name);
}

const KNOWN_NOISE = new Set(['codex.sse_event', 'codex.startup_phase', 'codex.api_request', 'codex.turn_ttft', 'codex.websocket_connect', 'codex.websocket_request']);
