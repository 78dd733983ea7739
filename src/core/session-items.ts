// A session file's content record (an assistant message, a tool call with its arguments and
// output, the turn context, reasoning, ...) as the CODEX_LOG record of kind `session_item`: the
// archive is the one place it is stored (decisions/0023), so search, log files, export, SIEM
// forwarding, verify, retention and holds see it like every other record. Pure: the session-files
// source builds items, the ingest writer claims their once-keys and appends the new ones.
import type { RecordDraft } from './compliance.js';
import type { ContentMode } from './content-policy.js';

// How the workspace's content policy treated one text of the item (as `text_info` of a response).
export interface ItemTextInfo {
  length: number;
  policy: ContentMode;
  redactions: number;
}

export interface SessionItemFields {
  workspaceId: string;
  threadId: string; // the file's own thread
  attributedThreadId: string; // where the thread's usage is counted (the parent, for sub-agents)
  lineKey: string; // stable across re-reads of the file (session-files/store.service.ts)
  userId: string;
  turnId: string | null;
  ts: number;
  kind: string; // the parser's content kind: assistant_message, tool_call, turn_context, ...
  lineNo: number;
  byteOffset: number;
  ordinal: number | null;
  origin: string; // 'local' (steward import) or the uploading machine
  body: Record<string, unknown>; // the parser's record without the fields above, policy applied
  textInfo: Record<string, ItemTextInfo>; // by body field, for the texts the policy governs
}

/** An item ready for the chain, and the key that lets it in once (compliance_once). */
export interface SessionItem {
  once: string;
  draft: RecordDraft;
}

// The thread and line key identify an item whichever machine or command read the file, so a file
// both imported and pushed, or re-read from its start, appends each item once.
export const sessionItemOnceKey = (threadId: string, lineKey: string): string => `item:${threadId}:${lineKey}`;

export function sessionItem(f: SessionItemFields): SessionItem {
  // Keys in canonical order at the top level; `item` comes from the parser in its own order,
  // which canonicalJson sorts.
  const content: Record<string, unknown> = {
    attributed_thread_id: f.attributedThreadId,
    byte_offset: f.byteOffset,
    item: f.body,
    item_kind: f.kind,
    kind: 'session_item',
    line_key: f.lineKey,
    line_no: f.lineNo,
    ordinal: f.ordinal,
    origin: f.origin,
    text_info: f.textInfo,
    thread_id: f.threadId,
    timestamp: new Date(f.ts).toISOString(),
    turn_id: f.turnId,
    user_id: f.userId,
    workspace_id: f.workspaceId,
  };
  return {
    once: sessionItemOnceKey(f.threadId, f.lineKey),
    draft: { eventType: 'CODEX_LOG', ts: f.ts, userId: f.userId, threadId: f.threadId, content },
  };
}
