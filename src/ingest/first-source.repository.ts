// Which source stored a session start or a tool call first: the compliance chain appends a completion
// when another source brings the same fact later (decisions/0019). The insert's RETURNING answers for
// the facts a group stores or completes; only the rest (replays, a later source that adds no field)
// cost one read here, so steady ingest from one source reads nothing.
import type { FirstSources } from '../core/compliance-merge.js';
import type { EnrichedOf, ThreadStarted, ToolCall } from '../core/events.js';
import type { DbOrTrx } from '../platform/storage/database.js';

interface Unresolved {
  threads: Map<string, Set<string>>; // workspace -> thread ids
  tools: Map<string, Set<string>>; // workspace -> tool keys
}

const CHUNK = 400;

async function readFirstSources(db: DbOrTrx, wanted: Unresolved, into: FirstSources): Promise<void> {
  for (const [ws, ids] of wanted.threads) {
    const list = [...ids];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await db
        .selectFrom('threads')
        .select(['thread_id', 'source'])
        .where('workspace_id', '=', ws)
        .where('thread_id', 'in', list.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) into.set(`${ws}\u0000thread:${r.thread_id}`, r.source);
    }
  }
  for (const [ws, keys] of wanted.tools) {
    const list = [...keys];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await db
        .selectFrom('tool_events')
        .select(['tool_key', 'source'])
        .where('workspace_id', '=', ws)
        .where('tool_key', 'in', list.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) into.set(`${ws}\u0000${r.tool_key}`, r.source);
    }
  }
}

// The first source of each session start and tool call: from what the insert returned, the rest read.
export async function firstSourcesOf(
  db: DbOrTrx,
  threadItems: readonly EnrichedOf<ThreadStarted>[],
  toolItems: readonly EnrichedOf<ToolCall>[],
  insThreads: readonly Record<string, string>[],
  changedTools: readonly Record<string, string>[],
): Promise<FirstSources> {
  const out: FirstSources = new Map();
  for (const r of insThreads) out.set(`${r.workspace_id}\u0000thread:${r.thread_id}`, r.source);
  for (const r of changedTools) out.set(`${r.workspace_id}\u0000${r.tool_key}`, r.source ?? null);
  const wanted: Unresolved = { threads: new Map(), tools: new Map() };
  const want = (m: Map<string, Set<string>>, ws: string, id: string) => {
    const set = m.get(ws);
    if (set) set.add(id);
    else m.set(ws, new Set([id]));
  };
  for (const i of threadItems)
    if (!out.has(`${i.workspaceId}\u0000${i.event.key}`)) want(wanted.threads, i.workspaceId, i.event.threadId);
  for (const i of toolItems)
    if (!out.has(`${i.workspaceId}\u0000${i.event.key}`)) want(wanted.tools, i.workspaceId, i.event.key);
  if (wanted.threads.size || wanted.tools.size) await readFirstSources(db, wanted, out);
  return out;
}
