// Codex events that are not facts (decisions/0024): one codex_events row per natural key, inserted
// with the batch's facts (ingest.repository.ts); RETURNING names the new ones, which alone are
// archived and counted.
import type { EnrichedOf, Observation } from '../core/events.js';
import { conflictDoNothing, type InsertSpec } from '../platform/storage/bulk-insert.js';

export const CODEX_EVENTS: InsertSpec = {
  table: 'codex_events',
  columns: [
    'workspace_id',
    'event_key',
    'thread_id',
    'user_id',
    'client_id',
    'ts',
    'name',
    'category',
    'turn_id',
    'skill_name',
    'skill_scope',
    'source',
  ],
  onConflict: conflictDoNothing(['workspace_id', 'event_key']),
  returning: ['event_key'],
};

export function codexEventRow(i: EnrichedOf<Observation>): Record<string, string | number | null> {
  return {
    workspace_id: i.workspaceId,
    event_key: i.event.key,
    thread_id: i.event.threadId,
    user_id: i.userId,
    client_id: i.clientId,
    ts: i.event.ts,
    name: i.event.name,
    category: i.event.category,
    turn_id: i.event.turnId ?? null,
    skill_name: i.event.skillName ?? null,
    skill_scope: i.event.skillScope ?? null,
    source: i.source,
  };
}
