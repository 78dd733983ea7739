// A session_meta payload -> what the thread is (kind, parent, fork, source, policies). Pure.
import { idProblem } from '../../../core/bounds.js';
import type { ThreadKind } from '../../../core/events.js';
import { type SessionMetaPayload } from '../schema.js';
import type { RolloutThreadInfo } from '../types.js';
import { type Obj, isObj, optStr } from './facts.js';
import { parseTs } from './usage.js';

/** approval policy: a string, or an object like `{granular: …}` (-> its key). */
export function policyLabel(p: unknown): string | undefined {
  if (typeof p === 'string') return p;
  if (isObj(p)) return optStr(p.type) ?? optStr(p.mode) ?? Object.keys(p)[0];
  return undefined;
}

/** sandbox policy: `{type: "read-only"}` (0.169), `{mode: "workspace-write", …}` (older) or a string. */

/** `permission_profile` / `active_permission_profile` (thread_settings_applied) -> a sandbox-like label. */
export function permissionLabel(settings: Obj): string | undefined {
  const active = settings.active_permission_profile;
  if (isObj(active) && typeof active.id === 'string') return active.id.replace(/^:/, '');
  return policyLabel(settings.sandbox_policy);
}

export function sourceLabel(source: unknown): string | undefined {
  if (typeof source === 'string') return source;
  if (isObj(source)) {
    const [k, v] = Object.entries(source)[0] ?? [];
    if (!k) return undefined;
    if (typeof v === 'string') return `${k}:${v}`;
    if (isObj(v)) return `${k}:${Object.keys(v)[0] ?? ''}`;
    return k;
  }
  return undefined;
}

/** Thread kind and parent from session_meta (spec §3 pitfalls 7 and 9, §8 "Threads"). */
export function classifyThread(meta: SessionMetaPayload): { kind: ThreadKind; parentThreadId?: string } {
  const src = meta.source;
  const sub = isObj(src) ? src.subagent : undefined;
  const isSub = meta.thread_source === 'subagent' || sub !== undefined || src === 'subagent';
  const isTitle = meta.thread_source === 'thread_title' || (typeof sub === 'string' && sub === 'thread_title');
  let parent = meta.parent_thread_id;
  if (!parent && isObj(sub)) {
    for (const v of Object.values(sub))
      if (isObj(v) && typeof v.parent_thread_id === 'string') parent = v.parent_thread_id;
  }
  if (!parent && (isSub || isTitle) && meta.session_id && meta.session_id !== meta.id) parent = meta.session_id;
  // The nested parent_thread_id and session_id are not among the checked ids (ids.ts): a parent
  // past the id bound is no parent (found by the long fuzz run, seeds 20261515 and 20261516).
  if (parent !== undefined && idProblem('parent', parent)) parent = undefined;
  return { kind: isTitle ? 'title' : isSub ? 'subagent' : 'user', parentThreadId: parent };
}

export function threadInfoFromMeta(meta: SessionMetaPayload): RolloutThreadInfo {
  const { kind, parentThreadId } = classifyThread(meta);
  const git = meta.git ?? undefined;
  const hb = meta.history_base ?? undefined;
  return {
    threadId: meta.id,
    sessionId: meta.session_id,
    kind,
    parentThreadId,
    forkedFromId: meta.forked_from_id,
    forkedFromOrdinal: meta.forked_from_ordinal_exclusive,
    historyBase: hb
      ? { threadId: hb.thread_id, endOrdinalExclusive: hb.end_ordinal_exclusive, endByteOffset: hb.end_byte_offset }
      : undefined,
    originator: meta.originator,
    cliVersion: meta.cli_version,
    cwd: meta.cwd,
    git: git ? { commitHash: git.commit_hash, branch: git.branch, repositoryUrl: git.repository_url } : undefined,
    source: sourceLabel(meta.source),
    sourceRaw: meta.source,
    threadSource: meta.thread_source,
    provider: meta.model_provider,
    historyMode: meta.history_mode,
    startedAt: parseTs(meta.timestamp),
    agentNickname: meta.agent_nickname,
    agentRole: meta.agent_role,
  };
}

/** Concatenated text of a content array (`input_text`, `output_text`, `text`, `Text` parts) or a string. */
