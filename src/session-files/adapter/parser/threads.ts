// Thread facts: session_meta (or the bare first line) names the file's thread; settings lines
// change its model and policies; the ThreadStarted event is emitted once, before anything else.
import { compareVersions, parseTs, threadInfoFromMeta, type LineFact } from '../normalize.js';
import type { RolloutThreadInfo } from '../types.js';
import { type LineCtx, type Parse, content, event, ownId, ref } from './context.js';

/** 0.169 introduced token_usage_record; from this version on, token_count events are never counted. */
export const RECORD_VERSION = '0.169.0';

export function onSessionMeta(p: Parse, f: Extract<LineFact, { f: 'session_meta' }>, ctx: LineCtx): void {
  const info = threadInfoFromMeta(f.meta);
  if (!p.st.threadMetaSeen) {
    p.st.thread = { ...info, threadId: info.threadId || ownId(p) };
    p.st.threadMetaSeen = true;
    p.st.threadPending = ref(p, ctx);
    if (info.cliVersion && compareVersions(info.cliVersion, RECORD_VERSION) >= 0) p.st.recordMode = true;
    if (f.meta.model) p.st.model ??= f.meta.model;
    content(p, ctx, { kind: 'session', thread: p.st.thread, raw: f.raw });
  } else if (info.threadId === ownId(p)) {
    content(p, ctx, { kind: 'session', thread: info, raw: f.raw, duplicate: true });
  } else {
    // Another thread's session_meta in this file: an old, non-paginated fork copied its parent's
    // lines (token events included) right after its own session_meta (spec §3 pitfall 6).
    if (!p.st.inherited?.active) p.stats.inheritedLines++;
    p.st.inherited = { active: true, lastTs: ctx.ts };
    content(p, ctx, { kind: 'session', thread: info, raw: f.raw }, { inherited: true, foreignThreadId: info.threadId });
  }
}

export function onBareMeta(p: Parse, f: Extract<LineFact, { f: 'bare_meta' }>, ctx: LineCtx): void {
  const g = f.git as Record<string, unknown> | undefined;
  const s = (x: unknown) => (typeof x === 'string' ? x : undefined);
  const info: RolloutThreadInfo = {
    threadId: f.id,
    kind: 'user',
    startedAt: parseTs(f.timestamp),
    git:
      g && typeof g === 'object'
        ? { commitHash: s(g.commit_hash), branch: s(g.branch), repositoryUrl: s(g.repository_url) }
        : undefined,
  };
  if (!p.st.threadMetaSeen) {
    p.st.thread = info;
    p.st.threadMetaSeen = true;
    p.st.threadPending = ref(p, ctx);
  }
  if (p.withContent)
    content(
      p,
      ctx,
      { kind: 'session', thread: info, raw: f.raw },
      info.threadId !== ownId(p) ? { foreignThreadId: info.threadId } : {},
    );
}

export function flushThread(p: Parse): void {
  if (p.st.threadEmitted || !p.st.thread) return;
  p.st.threadEmitted = true;
  const t = p.st.thread;
  const at = p.st.threadPending ?? { ts: t.startedAt ?? p.st.lastTs ?? 0, line: 0, offset: 0, disc: `${t.threadId}@0` };
  event(p, {
    kind: 'thread_started',
    key: '',
    discriminator: at.disc,
    threadId: t.threadId,
    ts: t.startedAt ?? at.ts,
    originator: t.originator,
    model: p.st.model,
    threadKind: t.kind,
    parentThreadId: t.parentThreadId,
    approvalPolicy: p.st.approvalPolicy,
    sandboxPolicy: p.st.sandboxPolicy,
    provider: p.st.provider ?? t.provider,
    sourceThreadId: t.threadId,
    line: at.line,
    offset: at.offset,
    ...(at.ordinal !== undefined ? { ordinal: at.ordinal } : {}),
    thread: t,
  });
}

export function onSettings(p: Parse, f: Extract<LineFact, { f: 'settings' }>, ctx: LineCtx): void {
  const foreign = f.threadId && f.threadId !== ownId(p) ? f.threadId : undefined;
  if (p.withContent)
    content(
      p,
      ctx,
      {
        kind: 'settings',
        model: f.model,
        provider: f.provider,
        approvalPolicy: f.approvalPolicy,
        sandboxPolicy: f.sandboxPolicy,
        cwd: f.cwd,
        raw: f.raw,
      },
      { turnId: p.st.turn?.id, foreignThreadId: foreign },
    );
  if (foreign) return;
  if (f.model) p.st.model = f.model;
  if (f.approvalPolicy) p.st.approvalPolicy = f.approvalPolicy;
  if (f.sandboxPolicy) p.st.sandboxPolicy = f.sandboxPolicy;
  if (f.provider) p.st.provider = f.provider;
  flushThread(p);
}
