// response_item payloads (and bare pre-2025-09 items) -> facts: messages, reasoning, tool calls
// and their outputs.
import {
  CustomToolCallSchema,
  FunctionCallOutputSchema,
  FunctionCallSchema,
  LocalShellCallSchema,
  MessageItemSchema,
  ReasoningSchema,
  ResponseItemSchema,
  WebSearchCallSchema,
} from '../schema.js';
import { type LineFact, isObj, optStr } from './facts.js';
import { argString, genuineByMetadata, imageCount, isInjectedUserText, parseToolOutput, textOf } from './text.js';

export function normalizeResponseItem(
  payload: unknown,
  origin: 'response_item' | 'bare_item',
  facts: LineFact[],
): void {
  const p = ResponseItemSchema.safeParse(payload);
  if (!p.success) {
    facts.push(
      { f: 'skip', reason: 'invalid_shape', detail: 'response_item without a type' },
      { f: 'other', type: 'response_item', raw: payload },
    );
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
        facts.push({
          f: 'user_text',
          text,
          canonical: origin === 'bare_item' && !injected,
          injected,
          origin,
          turnId,
          itemId: item.id,
          images: imageCount(m.data.content),
        });
      } else if (m.data.role === 'assistant') {
        facts.push({
          f: 'assistant_text',
          text,
          canonical: true,
          origin,
          turnId,
          itemId: item.id,
          phase: m.data.phase,
        });
      } else {
        facts.push({ f: 'developer_text', role: m.data.role, text, itemId: item.id });
      }
      break;
    }
    case 'reasoning': {
      const r = ReasoningSchema.safeParse(item);
      const summary = r.success
        ? (r.data.summary ?? [])
            .map((s) => (isObj(s) && typeof s.text === 'string' ? s.text : typeof s === 'string' ? s : ''))
            .filter(Boolean)
        : [];
      const content = r.success ? r.data.content : undefined;
      facts.push({
        f: 'reasoning',
        summary,
        text: Array.isArray(content) ? textOf(content) || undefined : undefined,
        encrypted: r.success ? r.data.encrypted_content : undefined,
      });
      break;
    }
    case 'function_call': {
      const c = FunctionCallSchema.parse(item);
      const name = c.namespace && c.name ? `${c.namespace}.${c.name}` : c.name;
      facts.push({
        f: 'tool_call',
        callId: c.call_id ?? item.id,
        toolName: name,
        toolKind: 'function',
        arguments: argString(c.arguments),
        turnId,
      });
      break;
    }
    case 'custom_tool_call': {
      const c = CustomToolCallSchema.parse(item);
      facts.push({
        f: 'tool_call',
        callId: c.call_id ?? item.id,
        toolName: c.name,
        toolKind: 'custom',
        arguments: argString(c.input),
        status: c.status,
        turnId,
      });
      break;
    }
    case 'local_shell_call': {
      const c = LocalShellCallSchema.parse(item);
      facts.push({
        f: 'tool_call',
        callId: c.call_id ?? item.id,
        toolName: 'local_shell',
        toolKind: 'local_shell',
        arguments: argString(c.action),
        status: c.status,
        turnId,
      });
      break;
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const o = FunctionCallOutputSchema.parse(item);
      const info = parseToolOutput(o.output);
      facts.push({
        f: 'tool_output',
        callId: o.call_id,
        output: info.text ?? argString(o.output),
        exitCode: info.exitCode,
        durationMs: info.durationMs,
        success: info.success,
        turnId,
      });
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
      facts.push({
        f: 'other',
        type: origin === 'bare_item' ? item.type : 'response_item',
        subtype: origin === 'bare_item' ? undefined : item.type,
        raw: item,
      });
  }
}
