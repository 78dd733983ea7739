// OTLP names a title-generation thread only by its prompt (otlp/normalize.ts), and that prompt
// comes after the thread's conversation_starts, whose row says 'user'. The rollups count by each
// turn's own kind, but reads of facts (steward report --full's turns, a person's threads) trust
// threads.thread_kind, so the row takes the kind its helper turn names: a thread with a helper turn
// and no counted turn is a helper thread.
import type { TurnStarted } from '../core/events.js';
import { dayOf, weekOfDay } from '../core/time.js';
import type { DbOrTrx } from '../platform/storage/database.js';

interface HelperTurn {
  workspaceId: string;
  event: TurnStarted;
}

const CHUNK = 500;

/**
 * Marks the threads of these newly stored helper turns (kind other than 'user') with that kind,
 * unless the thread has a counted turn: its row in the week set of a week these turns fall in (a
 * title thread lives for seconds; the set's primary key is (workspace, week, thread)). Runs after
 * the batch's set rows are inserted, so a user turn in the same batch keeps the thread a user one.
 */
export async function markHelperThreads(db: DbOrTrx, turns: readonly HelperTurn[]): Promise<void> {
  const groups = new Map<string, { ws: string; kind: string; ids: Set<string>; weeks: Set<number> }>();
  for (const t of turns) {
    if (t.event.threadKind === 'user') continue;
    const g = `${t.workspaceId}\u0000${t.event.threadKind}`;
    let e = groups.get(g);
    if (!e) groups.set(g, (e = { ws: t.workspaceId, kind: t.event.threadKind, ids: new Set(), weeks: new Set() }));
    e.ids.add(t.event.threadId);
    e.weeks.add(weekOfDay(dayOf(t.event.ts)));
  }
  for (const { ws, kind, ids, weeks } of groups.values()) {
    const all = [...ids];
    for (let i = 0; i < all.length; i += CHUNK) {
      await db
        .updateTable('threads')
        .set({ thread_kind: kind })
        .where('workspace_id', '=', ws)
        .where('thread_id', 'in', all.slice(i, i + CHUNK))
        .where('thread_kind', '=', 'user')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('thread_week_set as s')
                .select('s.thread_id')
                .where('s.workspace_id', '=', ws)
                .where('s.bucket', 'in', [...weeks])
                .whereRef('s.thread_id', '=', 'threads.thread_id'),
            ),
          ),
        )
        .execute();
    }
  }
}
