// Retention per event type and legal holds. A run records its cutoffs and its AUDIT_LOG entry
// before removing anything, then removes content in batches, skipping whatever an active hold
// covers; each batch appends, in its own transaction, the "retention.removed" record that explains
// it (core/compliance-removals.ts: the only explanation verify accepts); chain rows always stay.
// Session-file content is CODEX_LOG records (kind session_item, decisions/0023): no special case.
// On PostgreSQL, days of content wholly past the cutoff are dropped whole first, with the same
// records (partitions.service.ts, decisions/0045).
import { setImmediate } from 'node:timers/promises';
import { EVENT_TYPES, type ComplianceEventType } from '../../core/compliance.js';
import { StewardError, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { DAY_MS } from '../../core/time.js';
import { removalDraft } from '../../core/compliance-removals.js';
import { appendRecords } from '../chain/chain.repository.js';
import type { Db, DbOrTrx } from '../../platform/storage/database.js';
import type { ComplianceHoldTable } from '../compliance.tables.js';
import {
  contentToRemove,
  findHold,
  insertHold,
  insertPurges,
  insertRemoval,
  listHolds,
  markHoldReleased,
  removeContent,
  setPurgeCount,
} from './retention.repository.js';
import { findUserByEmail, findUserById } from '../../platform/tenancy/users.repository.js';
import { audit, type Actor } from '../audit.service.js';
import { dropExpiredPartitions } from './partitions.service.js';

export type RetentionDays = Record<ComplianceEventType, number>;

export function retentionDaysOf(r: {
  codex_log_days: number;
  codex_security_log_days: number;
  audit_log_days: number;
  auth_log_days: number;
}): RetentionDays {
  return {
    CODEX_LOG: r.codex_log_days,
    CODEX_SECURITY_LOG: r.codex_security_log_days,
    AUDIT_LOG: r.audit_log_days,
    AUTH_LOG: r.auth_log_days,
  };
}

export interface HoldInput {
  user?: string; // id or email
  threadId?: string;
  from?: number;
  to?: number;
  reason?: string;
}

export interface HoldView {
  object: 'compliance.hold';
  id: string;
  user_id: string | null;
  thread_id: string | null;
  start_time: string | null;
  end_time: string | null;
  reason: string;
  created_at: string;
  created_by: string;
  released_at: string | null;
  released_by: string | null;
  active: boolean;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const actorName = (a: Actor) => `${a.type}:${a.id ?? 'system'}`;

export function holdView(h: ComplianceHoldTable): HoldView {
  return {
    object: 'compliance.hold',
    id: h.id,
    user_id: h.user_id,
    thread_id: h.thread_id,
    start_time: iso(h.from_ts),
    end_time: iso(h.to_ts),
    reason: h.reason,
    created_at: iso(h.created_at)!,
    created_by: h.created_by,
    released_at: iso(h.released_at),
    released_by: h.released_by,
    active: h.released_at === null,
  };
}

export async function placeHold(db: Db, workspaceId: string, input: HoldInput, actor: Actor): Promise<HoldView> {
  if (input.user === undefined && input.threadId === undefined && input.from === undefined && input.to === undefined) {
    throw validationError(
      'hold',
      'name a user, a thread_id, or a time range (start_time and/or end_time)',
      'body',
      'value_error.missing',
    );
  }
  if (input.from !== undefined && input.to !== undefined && input.to <= input.from)
    throw validationError('end_time', 'must be after start_time', 'body', 'value_error.range');
  return db.transaction().execute(async (trx) => {
    let userId: string | null = null;
    if (input.user !== undefined) {
      const u = input.user.includes('@')
        ? await findUserByEmail(trx, workspaceId, input.user)
        : await findUserById(trx, input.user);
      if (!u || u.workspace_id !== workspaceId)
        throw validationError('user', `no user ${input.user} in this workspace`, 'body');
      userId = u.id;
    }
    const row: ComplianceHoldTable = {
      id: newId(),
      workspace_id: workspaceId,
      user_id: userId,
      thread_id: input.threadId ?? null,
      from_ts: input.from ?? null,
      to_ts: input.to ?? null,
      reason: input.reason ?? '',
      created_at: Date.now(),
      created_by: actorName(actor),
      released_at: null,
      released_by: null,
    };
    await insertHold(trx, row);
    const view = holdView(row);
    await audit(trx, workspaceId, actor, 'hold.placed', { type: 'hold', id: row.id }, { after: view });
    return view;
  });
}

export async function releaseHold(db: Db, workspaceId: string, holdId: string, actor: Actor): Promise<HoldView> {
  return db.transaction().execute(async (trx) => {
    const before = await findHold(trx, holdId);
    if (!before || before.workspace_id !== workspaceId) throw new StewardError('not_found', `no hold ${holdId}`);
    if (before.released_at !== null) throw new StewardError('conflict', `hold ${holdId} was already released`);
    const at = Date.now();
    await markHoldReleased(trx, holdId, at, actorName(actor));
    const after = holdView({ ...before, released_at: at, released_by: actorName(actor) });
    await audit(
      trx,
      workspaceId,
      actor,
      'hold.released',
      { type: 'hold', id: holdId },
      { before: holdView(before), after },
    );
    return after;
  });
}

export async function holdViews(db: DbOrTrx, workspaceId: string, activeOnly: boolean): Promise<HoldView[]> {
  return (await listHolds(db, workspaceId, activeOnly)).map(holdView);
}

export interface RetentionReport {
  object: 'compliance.retention_run';
  run_id: string;
  workspace_id: string;
  cutoffs: Record<string, string>;
  purged: Record<string, number>;
  // PostgreSQL: the day partitions of content this run dropped whole (decisions/0045).
  partitions_dropped: string[];
  active_holds: number;
  duration_ms: number;
}

const BATCH = 5000;

export async function runRetention(
  db: Db,
  workspaceId: string,
  days: RetentionDays,
  actor: Actor,
  now = Date.now(),
): Promise<RetentionReport> {
  const t0 = performance.now();
  const runId = newId();
  const holds = await listHolds(db, workspaceId, true);
  const cutoffs = EVENT_TYPES.filter((t) => days[t] > 0).map((t) => ({ type: t, cutoff: now - days[t] * DAY_MS }));
  const cutoffView = Object.fromEntries(cutoffs.map((c) => [c.type, new Date(c.cutoff).toISOString()]));
  await db.transaction().execute(async (trx) => {
    await insertPurges(
      trx,
      cutoffs.map((c) => ({
        run_id: runId,
        workspace_id: workspaceId,
        event_type: c.type,
        cutoff_ts: c.cutoff,
        ran_at: now,
      })),
    );
    await audit(
      trx,
      workspaceId,
      actor,
      'retention.run',
      { type: 'workspace', id: workspaceId },
      { after: { run_id: runId, retention_days: days, cutoffs: cutoffView, active_holds: holds.map((h) => h.id) } },
    );
  });
  const purged: Record<string, number> = {};
  const dropped: string[] = [];
  for (const c of cutoffs) {
    // Whole partitions first (PostgreSQL), then rows: what a hold reaches, the day straddling the
    // cutoff, late events, types kept in one table, and everything on SQLite.
    const drops = await dropExpiredPartitions(db, {
      runId,
      workspaceId,
      actor,
      eventType: c.type,
      retentionDays: days[c.type],
      cutoff: c.cutoff,
      batch: BATCH,
    });
    dropped.push(...drops.dropped);
    const rows = await inBatches(() =>
      // The removal and the record that explains it commit together or not at all.
      db.transaction().execute(async (trx) => {
        const seqs = await contentToRemove(trx, workspaceId, c.type, c.cutoff, holds, BATCH);
        if (!seqs.length) return 0;
        const removed = await removeContent(trx, workspaceId, seqs, c.type, c.cutoff);
        const draft = removalDraft({
          ts: Date.now(),
          actor,
          workspaceId,
          runId,
          eventType: c.type,
          retentionDays: days[c.type],
          cutoff: c.cutoff,
          seqs,
        });
        const [rec] = await appendRecords(trx, workspaceId, [draft]);
        await insertRemoval(trx, { workspace_id: workspaceId, seq: rec.seq, event_type: c.type });
        return removed;
      }),
    );
    purged[c.type] = drops.removed + rows;
    await setPurgeCount(db, runId, workspaceId, c.type, purged[c.type]);
  }
  await db
    .transaction()
    .execute((trx) =>
      audit(
        trx,
        workspaceId,
        actor,
        'retention.completed',
        { type: 'workspace', id: workspaceId },
        { after: { run_id: runId, purged } },
      ),
    );
  return {
    object: 'compliance.retention_run',
    run_id: runId,
    workspace_id: workspaceId,
    cutoffs: cutoffView,
    purged,
    partitions_dropped: dropped,
    active_holds: holds.length,
    duration_ms: Math.round(performance.now() - t0),
  };
}

/** Runs a purge batch until it removes less than a full batch; returns the total removed. */
async function inBatches(batch: () => Promise<number>): Promise<number> {
  let n = 0;
  for (;;) {
    const k = await batch();
    n += k;
    if (k < BATCH) return n;
    await setImmediate(); // let requests in between batches (SQLite runs each one synchronously)
  }
}
