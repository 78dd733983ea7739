// Background jobs when several `steward serve` share one database (decisions/0039). A periodic job
// (retention, checkpoints) runs once per period and workspace: each node's tick tries to insert the
// (job, workspace, period) row into job_runs and only the node whose insert lands runs it, on both
// databases, whatever the clocks between ticks; a failed attempt is taken over again by one node
// after a backoff within the period (a daily job that failed once must not wait for tomorrow); the
// node that ran it then forgets the job's rows older than
// its history (server.job_history_days, decisions/0046). A job without periods (the reaction poller, whose
// schedule is per comment in the database) runs alone: on PostgreSQL under a transaction-scoped
// advisory lock that a node's crash releases with its connection; SQLite is one node. A period's
// run holds a lease its node renews while it runs; a run left unfinished past its lease (its node
// died) is taken over by one node (decisions/0062).
import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { DbOrTrx, Db } from './database.js';
import { isSqlite } from './dialect.js';

/** A name for this process among the nodes (kept in job_runs and sink leases). */
export function newNodeId(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
}

/** The workspace id under which a job over the whole store (not per workspace) claims its period. */
export const WHOLE_STORE = '*';

const DEFAULT_HISTORY_MS = 30 * 86_400_000;
// A running job's lease, renewed every third of it: a node whose event loop stalls for minutes,
// or that died, loses the period's run to another node.
const DEFAULT_LEASE_MS = 10 * 60_000;

export interface JobRunKey {
  job: string;
  workspaceId: string;
  period: number;
}

/** true when this node inserted the row, so runs the job for that period; false when another did. */
export async function claimJobPeriod(
  db: DbOrTrx,
  key: JobRunKey,
  node: string,
  now: number,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const r = await db
    .insertInto('job_runs')
    .values({
      job: key.job,
      workspace_id: key.workspaceId,
      period: key.period,
      node,
      started_at: now,
      finished_at: null,
      result: null,
      lease_until: now + leaseMs,
    })
    .onConflict((oc) => oc.columns(['job', 'workspace_id', 'period']).doNothing())
    .returning('node')
    .executeTakeFirst();
  return r !== undefined;
}

/** What a failed run leaves in its row's result: the error and how many attempts the period has had. */
interface FailedRun {
  error: string;
  attempt: number;
}

function failedRun(result: string | null): FailedRun | undefined {
  if (!result) return undefined;
  try {
    const r = JSON.parse(result);
    return typeof r?.error === 'string' ? { error: r.error, attempt: Number(r.attempt) || 1 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A period whose last attempt failed is tried again, by whichever node ticks first once
 * `retryAfterMs(attempt)` has passed since it failed: the row is taken over only if it is still the
 * failed attempt this node read (compare-and-set on node and started_at), so one node retries.
 * Returns the attempt number this node now runs, or undefined (not failed, too soon, or taken).
 */
/** The period's row as the takeovers read it (what they compare-and-set on). */
function periodRun(db: DbOrTrx, key: JobRunKey) {
  return db
    .selectFrom('job_runs')
    .select(['node', 'started_at', 'finished_at', 'result', 'lease_until'])
    .where('job', '=', key.job)
    .where('workspace_id', '=', key.workspaceId)
    .where('period', '=', key.period)
    .executeTakeFirst();
}

/**
 * A period whose run is unfinished past its lease (the node that ran it stopped renewing: it died)
 * is taken over by whichever node ticks first, compare-and-set on the row it read, so one node does.
 * Returns the attempt number this node now runs (the dead run was one), or undefined.
 */
export async function reclaimAbandonedPeriod(
  db: DbOrTrx,
  key: JobRunKey,
  node: string,
  now: number,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<number | undefined> {
  const row = await periodRun(db, key);
  if (!row || row.finished_at !== null) return undefined;
  const leaseEnd = row.lease_until === null ? Number(row.started_at) + leaseMs : Number(row.lease_until);
  if (now <= leaseEnd) return undefined;
  const r = await db
    .updateTable('job_runs')
    .set({ node, started_at: now, lease_until: now + leaseMs })
    .where('job', '=', key.job)
    .where('workspace_id', '=', key.workspaceId)
    .where('period', '=', key.period)
    .where('node', '=', row.node)
    .where('started_at', '=', row.started_at)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? 2 : undefined;
}

/** The running node extends its lease; false when the row is no longer its own (taken over). */
export async function renewJobLease(db: DbOrTrx, key: JobRunKey, node: string, until: number): Promise<boolean> {
  const r = await db
    .updateTable('job_runs')
    .set({ lease_until: until })
    .where('job', '=', key.job)
    .where('workspace_id', '=', key.workspaceId)
    .where('period', '=', key.period)
    .where('node', '=', node)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function reclaimFailedPeriod(
  db: DbOrTrx,
  key: JobRunKey,
  node: string,
  now: number,
  retryAfterMs: (attempt: number) => number,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<number | undefined> {
  const row = await periodRun(db, key);
  const failed = row && row.finished_at !== null ? failedRun(row.result) : undefined;
  if (!row || !failed || now < Number(row.finished_at) + retryAfterMs(failed.attempt)) return undefined;
  const r = await db
    .updateTable('job_runs')
    .set({ node, started_at: now, finished_at: null, result: null, lease_until: now + leaseMs })
    .where('job', '=', key.job)
    .where('workspace_id', '=', key.workspaceId)
    .where('period', '=', key.period)
    .where('node', '=', row.node)
    .where('started_at', '=', row.started_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? failed.attempt + 1 : undefined;
}

/** The run's outcome, kept only while the row is still this node's (one that lost its lease to a
 * takeover must not overwrite the run that replaced it). */
export async function finishJobRun(
  db: DbOrTrx,
  key: JobRunKey,
  node: string,
  result: unknown,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('job_runs')
    .set({ finished_at: now, result: JSON.stringify(result ?? null), lease_until: null })
    .where('job', '=', key.job)
    .where('workspace_id', '=', key.workspaceId)
    .where('period', '=', key.period)
    .where('node', '=', node)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Forgets the job's runs for the workspace before `beforePeriod` (a range of the primary key). Run
 * by the node that claimed the current period, after its run: so once per period across the nodes,
 * and never the current period's row, which is what keeps the other nodes from running it again.
 */
export async function pruneJobRuns(db: DbOrTrx, key: Omit<JobRunKey, 'period'>, beforePeriod: number): Promise<number> {
  const r = await db
    .deleteFrom('job_runs')
    .where('job', '=', key.job)
    .where('workspace_id', '=', key.workspaceId)
    .where('period', '<', beforePeriod)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * `fn` unless another node runs the same job now (then undefined). The lock's transaction only
 * holds the lock: `fn` does its work through `db` as usual, so its writes commit as they go.
 */
export async function runAlone<T>(db: Db, job: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (isSqlite(db)) return fn();
  return db.transaction().execute(async (trx) => {
    const r = await sql<{
      got: boolean;
    }>`select pg_try_advisory_xact_lock(hashtextextended(${`job:${job}`}, 0)) as got`.execute(trx);
    return r.rows[0]?.got ? fn() : undefined;
  });
}

/**
 * `fn` after any other node's `fn` under the same name has finished: for check-then-insert steps
 * that several nodes starting at once on an empty database would otherwise each do (the first
 * workspace, the owner key). The lock's transaction only holds the lock, as in runAlone.
 */
export async function runSerialized<T>(db: Db, name: string, fn: () => Promise<T>): Promise<T> {
  if (isSqlite(db)) return fn();
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`job:${name}`}, 0))`.execute(trx);
    return fn();
  });
}

export interface PeriodicJob {
  job: string;
  periodMs: number;
  /**
   * How long a run's row is kept (the history of which node ran what); at least the period itself.
   * Default: server.job_history_days' default, for jobs started where the config is not at hand.
   */
  historyMs?: number;
  /** Between ticks (default: a quarter of the period, at least 50 ms, at most a minute). */
  tickMs?: number;
  /** The first tick after start (default: the period's length, at most a minute). */
  firstDelayMs?: number;
  workspaces(): Promise<string[]>;
  /** The period's work for one workspace; its result is kept in job_runs. */
  run(workspaceId: string): Promise<unknown>;
  /**
   * How long after a failed attempt the period is tried again (default: a minute, doubling with each
   * attempt, at most a quarter of the period).
   */
  retryAfterMs?: (attempt: number) => number;
  /** A run's lease, renewed every third of it while it runs (default ten minutes). */
  leaseMs?: number;
  onError(err: unknown, workspaceId: string | null): void;
}

// A tick a quarter of the period (at most a minute): a period's job starts within that of the
// period's beginning on whichever node ticks first.
export function startPeriodicJob(db: Db, node: string, j: PeriodicJob): { stop(): Promise<void> } {
  const tickMs = j.tickMs ?? Math.max(50, Math.min(60_000, Math.floor(j.periodMs / 4)));
  const retryAfter = j.retryAfterMs ?? ((attempt: number) => Math.min(j.periodMs / 4, 60_000 * 2 ** (attempt - 1)));
  const lease = j.leaseMs ?? DEFAULT_LEASE_MS;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = async () => {
    const now = Date.now();
    const period = Math.floor(now / j.periodMs);
    let list: string[];
    try {
      list = await j.workspaces();
    } catch (err) {
      return j.onError(err, null);
    }
    for (const workspaceId of list) {
      if (stopped) return;
      const key = { job: j.job, workspaceId, period };
      try {
        const attempt = (await claimJobPeriod(db, key, node, now, lease))
          ? 1
          : ((await reclaimFailedPeriod(db, key, node, now, retryAfter, lease)) ??
            (await reclaimAbandonedPeriod(db, key, node, now, lease)));
        if (attempt === undefined) continue;
        const renew = setInterval(() => {
          renewJobLease(db, key, node, Date.now() + lease).catch((err) => j.onError(err, workspaceId));
        }, lease / 3).unref();
        let result: unknown;
        try {
          result = await j.run(workspaceId);
        } catch (err) {
          j.onError(err, workspaceId);
          result = { error: String((err as Error)?.message ?? err), attempt } satisfies FailedRun;
        } finally {
          clearInterval(renew);
        }
        // Taken over meanwhile (this node stalled past its lease): the other node's run is the period's.
        if (!(await finishJobRun(db, key, node, result, Date.now()))) continue;
        const keepFrom = Math.min(period, Math.floor((now - (j.historyMs ?? DEFAULT_HISTORY_MS)) / j.periodMs));
        await pruneJobRuns(db, key, keepFrom);
      } catch (err) {
        j.onError(err, workspaceId);
      }
    }
  };
  const fire = () => {
    if (running || stopped) return; // one tick at a time per node
    running = tick().finally(() => (running = null));
  };
  let interval: NodeJS.Timeout | null = null;
  const first = setTimeout(() => {
    fire();
    interval = setInterval(fire, tickMs).unref();
  }, j.firstDelayMs ?? Math.min(j.periodMs, 60_000)).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      if (interval) clearInterval(interval);
      await running;
    },
  };
}
