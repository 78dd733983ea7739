// Tool facts: a call waits in the state for its output (or its turn's end, or the end of the file)
// and is then emitted once, with the details the exec and completion events added.
import { createHash } from 'node:crypto';
import { MAX_ID_CHARS, MAX_INT32 } from '../../../core/bounds.js';
import { type LineFact } from '../normalize.js';
import { type ToolState, MAX_PENDING_TOOLS } from './state.js';
import {
  type LineCtx,
  type Parse,
  attributedId,
  content,
  disc,
  event,
  extras,
  ownId,
  ref,
  remember,
} from './context.js';
import { flushThread } from './threads.js';
import { refTurn } from './turns.js';

export function pendTool(p: Parse, tool: ToolState): void {
  p.st.tools.set(tool.callId, tool);
  if (p.st.tools.size > MAX_PENDING_TOOLS) {
    const oldest = p.st.tools.values().next().value as ToolState;
    emitTool(p, oldest);
  }
}

// A call or output line without a call id is keyed by its line (thread id and ordinal or offset),
// which passes the id bound when the thread id is near it (found by the long fuzz run, seed
// 20261509): then by the line key's digest, the same on every re-read of the file.
function lineCallId(p: Parse, ctx: LineCtx): string {
  const d = disc(p, ctx);
  return d.length <= MAX_ID_CHARS ? d : `line:${createHash('sha256').update(d).digest('base64url')}`;
}

export function onToolCall(p: Parse, f: Extract<LineFact, { f: 'tool_call' }>, ctx: LineCtx): void {
  const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
  const callId = f.callId ?? lineCallId(p, ctx);
  const prev = p.st.tools.get(callId);
  pendTool(p, {
    ...prev,
    ...ref(p, ctx),
    callId,
    toolName: f.toolName,
    toolKind: f.toolKind,
    turnId: f.turnId ?? t?.id,
    arguments: f.arguments,
    ...(f.argumentsTruncated ? { argumentsTruncated: true } : {}),
    status: f.status ?? prev?.status,
  });
}

export function onToolExec(p: Parse, f: Extract<LineFact, { f: 'tool_exec' }>, ctx: LineCtx): void {
  const foreign = f.itemThreadId && f.itemThreadId !== ownId(p) ? f.itemThreadId : undefined;
  let tool = p.st.tools.get(f.callId);
  if (foreign || (!tool && p.st.emittedTools.has(f.callId))) {
    // Another thread's command, or details arriving after the call was already emitted.
    content(
      p,
      ctx,
      {
        kind: 'tool_call',
        callId: f.callId,
        toolKind: 'exec',
        exitCode: f.exitCode,
        success: f.success,
        durationMs: f.durationMs,
        command: f.command,
        cwd: f.cwd,
        status: f.status,
        aggregatedOutput: f.aggregatedOutput,
      },
      { turnId: f.turnId, foreignThreadId: foreign },
    );
    return;
  }
  if (!tool) {
    const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
    tool = { ...ref(p, ctx), callId: f.callId, toolKind: 'exec', turnId: f.turnId ?? t?.id };
    pendTool(p, tool);
  }
  if (f.exitCode !== undefined) tool.exitCode = f.exitCode;
  if (f.durationMs !== undefined) {
    tool.durationMs = f.durationMs;
    tool.durationSource = 'exec';
  }
  if (f.success !== undefined) tool.success = f.success;
  if (f.command !== undefined) tool.command = f.command;
  if (f.cwd !== undefined) tool.cwd = f.cwd;
  if (f.aggregatedOutput !== undefined) tool.aggregatedOutput = f.aggregatedOutput;
  if (f.status !== undefined) tool.status = f.status;
}

export function onToolOutput(p: Parse, f: Extract<LineFact, { f: 'tool_output' }>, ctx: LineCtx): void {
  const callId = f.callId ?? lineCallId(p, ctx);
  let tool = p.st.tools.get(callId);
  if (!tool) {
    const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
    tool = { ...ref(p, ctx), callId, toolKind: 'function', turnId: f.turnId ?? t?.id };
  }
  tool.output = f.output;
  if (f.outputTruncated) tool.outputTruncated = true;
  tool.outputTs = ctx.ts;
  if (tool.exitCode === undefined && f.exitCode !== undefined) tool.exitCode = f.exitCode;
  if (tool.durationMs === undefined && f.durationMs !== undefined) {
    tool.durationMs = f.durationMs;
    tool.durationSource = 'output';
  }
  if (tool.success === undefined && f.success !== undefined) tool.success = f.success;
  emitTool(p, tool);
}

export function onToolComplete(p: Parse, f: Extract<LineFact, { f: 'tool_complete' }>, ctx: LineCtx): void {
  const callId = f.callId ?? lineCallId(p, ctx);
  const t = f.turnId ? refTurn(p, f.turnId, ctx) : p.st.turn;
  const prev = p.st.tools.get(callId);
  const tool: ToolState = prev ?? { ...ref(p, ctx), callId, toolKind: f.toolKind, turnId: f.turnId ?? t?.id };
  tool.toolName ??= f.toolName;
  tool.arguments ??= f.arguments;
  if (f.output !== undefined) {
    tool.output = f.output;
    tool.outputTs = ctx.ts;
  }
  if (f.success !== undefined) tool.success = f.success;
  if (f.status !== undefined) tool.status = f.status;
  if (f.durationMs !== undefined && tool.durationMs === undefined) {
    tool.durationMs = f.durationMs;
    tool.durationSource = 'exec';
  }
  emitTool(p, tool);
}

export function emitTool(p: Parse, tool: ToolState): void {
  p.st.tools.delete(tool.callId);
  remember(p.st.emittedTools, tool.callId);
  flushThread(p);
  const success = tool.success ?? (tool.exitCode !== undefined ? tool.exitCode === 0 : undefined);
  let durationMs = tool.durationMs;
  let durationSource: 'exec' | 'output' | 'timestamps' | undefined = tool.durationSource;
  // A call whose line had no usable time took a fallback (the file's mtime): the gap to its output can
  // be years, past the 32-bit column; no duration then rather than a wrong one.
  if (
    durationMs === undefined &&
    tool.outputTs !== undefined &&
    tool.outputTs >= tool.ts &&
    tool.outputTs - tool.ts <= MAX_INT32
  ) {
    durationMs = tool.outputTs - tool.ts;
    durationSource = 'timestamps';
  }
  p.stats.toolCalls++;
  event(p, {
    kind: 'tool',
    key: '',
    threadId: attributedId(p),
    ts: tool.ts,
    originator: p.st.thread?.originator,
    model: p.st.model,
    callId: tool.callId,
    toolName: tool.toolName,
    success,
    durationMs,
    arguments: tool.arguments,
    output: tool.output,
    ...(tool.turnId ? { turnId: tool.turnId } : {}),
    toolKind: tool.toolKind,
    ...(tool.exitCode !== undefined ? { exitCode: tool.exitCode } : {}),
    ...(durationSource ? { durationSource } : {}),
    ...(tool.argumentsTruncated ? { argumentsTruncated: true } : {}),
    ...(tool.outputTruncated ? { outputTruncated: true } : {}),
    ...extras(p, tool),
  });
  if (!p.withContent) return;
  const ctx: LineCtx = {
    raw: { lineNo: tool.line, offset: tool.offset, bytes: 0, oversized: false, binary: false },
    ts: tool.ts,
    ordinal: tool.ordinal,
  };
  content(
    p,
    ctx,
    {
      kind: 'tool_call',
      callId: tool.callId,
      toolName: tool.toolName,
      toolKind: tool.toolKind,
      arguments: tool.arguments,
      output: tool.output,
      exitCode: tool.exitCode,
      success,
      durationMs,
      command: tool.command,
      cwd: tool.cwd,
      status: tool.status,
      aggregatedOutput: tool.aggregatedOutput,
      ...(tool.argumentsTruncated ? { argumentsTruncated: true } : {}),
      ...(tool.outputTruncated ? { outputTruncated: true } : {}),
    },
    { turnId: tool.turnId },
  );
}
