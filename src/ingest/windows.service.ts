// The daily job behind the trailing windows (decisions/0042): once per UTC day and workspace, on
// one node of the database (a claim in job_runs, decisions/0039), the base of the day that began
// is built from the day rollups. Until it is, queries of that day read the day rollups.
import { DAY_MS, dayOf } from '../core/time.js';
import type { Db } from '../platform/storage/database.js';
import { newNodeId, startPeriodicJob } from '../platform/storage/jobs.js';
import { listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { type BaseBuilt, buildWindowBase, windowAnchor } from './windows.repository.js';

export const WINDOW_JOB = 'usage.windows';

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Builds the workspace's base for the UTC day of `now` (the job's run; also the demo's and benchmarks'). */
export function buildWindows(db: Db, workspaceId: string, now = Date.now()): Promise<BaseBuilt> {
  return buildWindowBase(db, workspaceId, dayOf(now), now);
}

export function startWindowJob(
  db: Db,
  log: Logger,
  opts: { node?: string; firstDelayMs?: number; now?: () => number; leaseMs?: number } = {},
): { stop(): Promise<void> } {
  const now = opts.now ?? Date.now;
  return startPeriodicJob(db, opts.node ?? newNodeId(), {
    job: WINDOW_JOB,
    periodMs: DAY_MS,
    firstDelayMs: opts.firstDelayMs,
    leaseMs: opts.leaseMs,
    workspaces: async () => (await listWorkspaces(db)).map((w) => w.id),
    run: async (ws) => {
      // A base built for the day outside the job (steward demo builds its own after seeding) is
      // kept: the ingest has kept it exact since, and a build holds the write lock for its length.
      const day = dayOf(now());
      if ((await windowAnchor(db, ws)) === day) return { anchor: day, kept: true };
      const built = await buildWindows(db, ws, now());
      log.info({ workspace: ws, ...built }, 'usage window base built');
      return built;
    },
    onError: (err, workspace) => log.error({ err, workspace }, 'usage window base failed'),
  });
}
