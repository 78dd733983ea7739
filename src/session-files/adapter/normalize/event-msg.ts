// event_msg payloads (and item_completed items) -> facts: turn lifecycle, prompts and replies,
// token counts, command and tool completions, settings.
import {
  AgentMessageEventSchema,
  AgentReasoningEventSchema,
  CommandExecutionItemSchema,
  EventMsgSchema,
  ExecCommandEndSchema,
  ItemCompletedSchema,
  McpToolCallEndSchema,
  PatchApplyEndSchema,
  TaskCompleteSchema,
  TaskStartedSchema,
  ThreadSettingsAppliedSchema,
  TokenCountSchema,
  UserMessageEventSchema,
} from '../schema.js';
import { type LineFact, type Obj, isObj, optStr } from './facts.js';
import { durationToMs, toUsage, usageProblem } from './usage.js';
import { permissionLabel, policyLabel } from './thread.js';
import { argString, isInjectedUserText, textOf, typedPromptFact } from './text.js';

export function normalizeEventMsg(payload: unknown, facts: LineFact[]): void {
  const e = EventMsgSchema.safeParse(payload);
  if (!e.success) {
    facts.push(
      { f: 'skip', reason: 'invalid_shape', detail: 'event_msg without a type' },
      { f: 'other', type: 'event_msg', raw: payload },
    );
    return;
  }
  const ev = e.data;
  const other = () => facts.push({ f: 'other', type: 'event_msg', subtype: ev.type, raw: ev });
  switch (ev.type) {
    case 'task_started':
    case 'turn_started': {
      const t = TaskStartedSchema.parse(ev);
      const a = t.turn_attribution ?? undefined;
      facts.push({
        f: 'task_started',
        turnId: optStr(t.turn_id) ?? optStr(a?.turn_id),
        rootTurnId: optStr(t.root_turn_id) ?? optStr(a?.root_turn_id),
        parentTurnId: optStr(a?.parent_turn_id),
        trigger: optStr(a?.turn_trigger),
        raw: ev,
      });
      break;
    }
    case 'task_complete':
    case 'turn_complete':
    case 'turn_aborted': {
      const t = TaskCompleteSchema.parse(ev);
      facts.push({
        f: 'task_complete',
        turnId: optStr(t.turn_id),
        aborted: ev.type === 'turn_aborted',
        durationMs: t.duration_ms,
        lastAgentMessage: t.last_agent_message,
        raw: ev,
      });
      break;
    }
    case 'token_count': {
      const t = TokenCountSchema.parse(ev);
      const bad = t.info
        ? (usageProblem(t.info.last_token_usage, true) ?? usageProblem(t.info.total_token_usage, false))
        : undefined;
      if (bad) {
        facts.push(
          { f: 'skip', reason: 'implausible_value', detail: `token_count: ${bad}` },
          { f: 'other', type: 'event_msg', subtype: 'token_count', raw: ev },
        );
        break;
      }
      const info = t.info
        ? {
            last: toUsage(t.info.last_token_usage),
            total: toUsage(t.info.total_token_usage),
            model: optStr(t.info.model),
          }
        : null;
      facts.push({ f: 'token_count', info, model: optStr(t.model), rateLimits: t.rate_limits });
      if (isObj(t.rate_limits) && (t.rate_limits.primary || t.rate_limits.secondary || t.rate_limits.credits))
        facts.push({ f: 'rate_limits', raw: t.rate_limits });
      break;
    }
    case 'user_message': {
      const u = UserMessageEventSchema.safeParse(ev);
      if (!u.success) return void other();
      const injected = (u.data.kind !== undefined && u.data.kind !== 'plain') || isInjectedUserText(u.data.message);
      facts.push({
        f: 'user_text',
        text: u.data.message,
        canonical: !injected,
        injected,
        origin: 'event_msg',
        images: u.data.images?.length || undefined,
      });
      break;
    }
    case 'agent_message': {
      const a = AgentMessageEventSchema.safeParse(ev);
      if (!a.success) return void other();
      facts.push({ f: 'assistant_text', text: a.data.message, canonical: false, origin: 'event_msg' });
      break;
    }
    case 'agent_reasoning': {
      const a = AgentReasoningEventSchema.safeParse(ev);
      if (!a.success) return void other();
      facts.push({ f: 'reasoning', summary: [a.data.text] });
      break;
    }
    case 'thread_settings_applied': {
      const s = ThreadSettingsAppliedSchema.parse(ev);
      const ts = s.thread_settings ?? undefined;
      facts.push({
        f: 'settings',
        threadId: s.thread_id,
        model: optStr(ts?.model),
        provider: ts?.model_provider_id,
        approvalPolicy: policyLabel(ts?.approval_policy),
        sandboxPolicy: ts ? permissionLabel(ts) : undefined,
        cwd: ts?.cwd,
        raw: ev,
      });
      break;
    }
    case 'item_completed':
      normalizeItemCompleted(ev, facts);
      break;
    case 'exec_command_end': {
      const x = ExecCommandEndSchema.safeParse(ev);
      if (!x.success) return void other();
      facts.push({
        f: 'tool_exec',
        callId: x.data.call_id,
        exitCode: x.data.exit_code,
        durationMs: durationToMs(x.data.duration, 's'),
        command: x.data.command,
        cwd: x.data.cwd,
        aggregatedOutput: x.data.aggregated_output ?? x.data.formatted_output ?? x.data.stdout,
        success: x.data.exit_code === undefined ? undefined : x.data.exit_code === 0,
      });
      break;
    }
    case 'patch_apply_end': {
      const x = PatchApplyEndSchema.safeParse(ev);
      if (!x.success) return void other();
      facts.push({
        f: 'tool_exec',
        callId: x.data.call_id,
        success: x.data.success,
        aggregatedOutput: x.data.stdout || x.data.stderr || undefined,
      });
      break;
    }
    case 'mcp_tool_call_end': {
      const x = McpToolCallEndSchema.safeParse(ev);
      if (!x.success) return void other();
      const inv = x.data.invocation ?? undefined;
      const result = x.data.result;
      const ok = isObj(result) ? ('Ok' in result ? true : 'Err' in result ? false : undefined) : undefined;
      facts.push({
        f: 'tool_complete',
        callId: x.data.call_id,
        toolName: inv?.server && inv.tool ? `mcp__${inv.server}__${inv.tool}` : inv?.tool,
        toolKind: 'mcp',
        arguments: argString(inv?.arguments),
        output: argString(result),
        success: ok,
        durationMs: durationToMs(x.data.duration, 's'),
      });
      break;
    }
    case 'entered_review_mode':
      facts.push({ f: 'review', phase: 'entered', raw: ev });
      break;
    case 'exited_review_mode':
      facts.push({ f: 'review', phase: 'exited', raw: ev });
      break;
    default:
      other();
  }
}

function normalizeItemCompleted(ev: Obj, facts: LineFact[]): void {
  const p = ItemCompletedSchema.safeParse(ev);
  if (!p.success) {
    facts.push({ f: 'other', type: 'event_msg', subtype: 'item_completed', raw: ev });
    return;
  }
  const { item, thread_id: itemThreadId } = p.data;
  const turnId = optStr(p.data.turn_id);
  if (turnId) facts.push({ f: 'turn_ref', turnId, itemThreadId });
  const it = item as Obj;
  switch (item.type) {
    case 'UserMessage': {
      facts.push(typedPromptFact(it.content, turnId, itemThreadId, item.id));
      break;
    }
    case 'AgentMessage':
      facts.push({
        f: 'assistant_text',
        text: textOf(it.content),
        canonical: false,
        origin: 'item_completed',
        turnId,
        itemThreadId,
        itemId: item.id,
        phase: optStr(it.phase),
      });
      break;
    case 'CommandExecution': {
      const c = CommandExecutionItemSchema.parse(it);
      let durationMs = durationToMs(c.duration, 's');
      if (durationMs === undefined && p.data.started_at_ms !== undefined && p.data.completed_at_ms !== undefined)
        durationMs = p.data.completed_at_ms - p.data.started_at_ms;
      if (!c.id) {
        facts.push({ f: 'other', type: 'event_msg', subtype: 'item_completed', raw: ev, itemThreadId });
        break;
      }
      facts.push({
        f: 'tool_exec',
        callId: c.id,
        itemThreadId,
        turnId,
        exitCode: c.exit_code,
        durationMs,
        command: c.command,
        cwd: c.cwd,
        aggregatedOutput: c.aggregated_output,
        status: c.status,
        success:
          c.exit_code !== undefined
            ? c.exit_code === 0
            : c.status === 'completed'
              ? true
              : c.status === 'failed' || c.status === 'declined'
                ? false
                : undefined,
      });
      break;
    }
    case 'EnteredReviewMode':
      facts.push({ f: 'review', phase: 'entered', raw: it, itemThreadId, turnId });
      break;
    case 'ExitedReviewMode':
      facts.push({ f: 'review', phase: 'exited', raw: it, itemThreadId, turnId });
      break;
    default:
      facts.push({ f: 'other', type: 'event_msg', subtype: `item_completed:${item.type}`, raw: ev, itemThreadId });
  }
}
