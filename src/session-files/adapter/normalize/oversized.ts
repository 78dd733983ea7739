// A line over its size limit, known only by its head: the facts that can still be read out of it.
import { jsonStringPrefix, sniffHead, sniffTypes, type RawLine } from '../decode.js';
import { ENVELOPE_TYPES, RESPONSE_ITEM_TYPES, SessionMetaSchema } from '../schema.js';
import type { NormalizedLine } from './facts.js';
import { parseTs } from './usage.js';
import { isInjectedUserText, parseToolOutput } from './text.js';

/** Facts from a line too long to keep: read what its head shows (spec: compacted history can be tens of MB). */
export function normalizeOversized(raw: RawLine): NormalizedLine {
  const head = raw.head ?? '';
  const s = sniffHead(head);
  const out: NormalizedLine = {
    format: s.enveloped ? 'envelope' : 'bare',
    ts: parseTs(s.timestamp),
    ordinal: s.ordinal,
    truncated: true,
    facts: [],
  };
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
    facts.push({
      f: 'tool_output',
      callId: s.callId,
      output: o?.text,
      outputTruncated: true,
      exitCode: info.exitCode,
      durationMs: info.durationMs,
      success: info.success,
    });
  } else if (itemType === 'function_call' || itemType === 'custom_tool_call') {
    const a = jsonStringPrefix(head, itemType === 'function_call' ? 'arguments' : 'input');
    facts.push({
      f: 'tool_call',
      callId: s.callId,
      toolName: s.name,
      toolKind: itemType === 'function_call' ? 'function' : 'custom',
      arguments: a?.text,
      argumentsTruncated: true,
      turnId: s.turnId,
    });
  } else if (itemType === 'message' && (s.role === 'user' || s.role === 'assistant')) {
    const t = jsonStringPrefix(head, 'text')?.text ?? '';
    if (s.role === 'user')
      facts.push({
        f: 'user_text',
        text: t,
        canonical: !s.enveloped && !isInjectedUserText(t),
        injected: isInjectedUserText(t),
        origin: s.enveloped ? 'response_item' : 'bare_item',
      });
    else
      facts.push({
        f: 'assistant_text',
        text: t,
        canonical: true,
        origin: s.enveloped ? 'response_item' : 'bare_item',
      });
  } else if (s.enveloped && s.type === 'event_msg' && s.payloadType === 'user_message') {
    const t = jsonStringPrefix(head, 'message')?.text ?? '';
    facts.push({
      f: 'user_text',
      text: t,
      canonical: !isInjectedUserText(t),
      injected: isInjectedUserText(t),
      origin: 'event_msg',
    });
  } else if (s.type && (s.enveloped ? ENVELOPE_TYPES.has(s.type) : RESPONSE_ITEM_TYPES.has(s.type))) {
    if (s.turnId && s.enveloped && s.type === 'event_msg') facts.push({ f: 'turn_ref', turnId: s.turnId });
    facts.push({ f: 'other', type: s.type, subtype: s.enveloped ? s.payloadType : undefined, head: preview });
  } else {
    facts.push(
      {
        f: 'skip',
        reason: 'oversized_unparsed',
        detail: `line of ${raw.bytes} bytes over the size limit; type not recognised from its head`,
      },
      { f: 'other', type: s.type ?? 'unknown', head: preview },
    );
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
    if (
      s.enveloped &&
      s.type === 'event_msg' &&
      (s.payloadType === 'item_completed' || s.payloadType === 'exec_command_end')
    )
      return maxToolOutputBytes;
    return maxLineBytes;
  };
}
