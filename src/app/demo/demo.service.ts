// steward demo: fills a workspace with the seeded people, teams, keys, Codex activity and code
// reviews of demo-people/activity/reviews.ts, through the write paths real data takes (the access
// services, the ingest use-case and its group writer, the code review ingest), so that every fact,
// rollup and compliance record is as ingest leaves them and the Analytics API answers from them.
// In the composition layer: it is the one room that may reach access, ingest and code-review.
import type { Config } from '../../config/schema.js';
import { StewardError } from '../../core/errors.js';
import type { Store } from '../../platform/storage/database.js';
import {
  addTeamMembers,
  addUsers,
  createKey,
  createTeam,
  createWorkspace,
  ensureWorkspace,
  workspaceUsers,
} from '../../access/index.js';
import { allWorkspaces } from '../../access/index.js';
import {
  buildWindows,
  ingestEvents,
  storePreparedFresh,
  withFactIndexesDeferred,
  type Principal,
} from '../../ingest/index.js';
import type { NormalizedEvent } from '../../core/events.js';
import { ingestCodeReviewEvents } from '../../code-review/index.js';
import type { Actor } from '../../compliance/index.js';
import { createRuntime } from '../runtime.js';
import { demoPeople, type DemoPerson, type DemoSpec } from './demo-people.js';
import { demoDay } from './demo-activity.js';
import { preparedDays } from './demo-days.thread.js';
import { DEMO_REVIEW_HOST, demoReviewDay, type ReviewEvent } from './demo-reviews.js';

export interface DemoOptions extends DemoSpec {
  /** A workspace id to fill (made if missing); default: the store's default workspace. */
  workspace?: string;
  /** The most recent days whose events carry content and go to the archive (decisions/0034). */
  archiveDays: number;
  /**
   * false: the older days through the ingest use-case too (without their archive), as before
   * decisions/0044; slower, the same facts and rollups (test/http/demo-bulk.http.test.ts).
   */
  bulk?: boolean;
  /** Worker threads that make the bulk-loaded days (default 1; 0: made on the calling thread). */
  workers?: number;
  progress?: (line: string) => void;
}

export interface DemoSummary {
  workspaceId: string;
  owner: DemoPerson;
  viewer: DemoPerson;
  users: number;
  teams: number;
  keys: number;
  events: number;
  /** Of `events`, those of the older days loaded in bulk (decisions/0044). */
  bulkEvents: number;
  archivedEvents: number;
  reviewEvents: number;
  seconds: number;
}

// One ingest call per this many events: a group of the writer (MAX_EVENTS_PER_GROUP) at most.
const BATCH = 10_000;
// Batches in flight: one being made while the writer commits the other.
const IN_FLIGHT = 2;

async function targetWorkspace(store: Store, id: string | undefined, actor: Actor) {
  if (id === undefined) return ensureWorkspace(store.db);
  const found = (await allWorkspaces(store.db)).find((w) => w.id === id);
  return found ?? createWorkspace(store.db, { id, name: `demo ${id}` }, actor);
}

export async function runDemo(store: Store, config: Config, opts: DemoOptions, actor: Actor): Promise<DemoSummary> {
  const t0 = performance.now();
  const log = opts.progress ?? (() => undefined);
  const workspace = await targetWorkspace(store, opts.workspace, actor);
  if ((await workspaceUsers(store.db, workspace.id)).length > 0)
    throw new StewardError(
      'conflict',
      `workspace ${workspace.id} already has users: the demo fills an empty one (pass --workspace NEW-ID)`,
    );
  const ws = workspace.id;
  const { people, teams } = demoPeople(opts);

  // People, teams and keys through the access services (each change audited).
  const ids: string[] = [];
  for (let i = 0; i < people.length; i += 2_000) {
    const chunk = people.slice(i, i + 2_000).map((p) => ({
      email: p.email,
      name: p.name,
      role: p.role,
      githubLogin: p.githubLogin,
    }));
    for (const u of await addUsers(store.db, ws, chunk, actor)) ids.push(u.id);
  }
  for (const t of teams) {
    const team = await createTeam(store.db, ws, t.name, actor);
    if (t.members.length)
      await addTeamMembers(
        store.db,
        ws,
        team.id,
        t.members.map((m) => ids[m]!),
        actor,
      );
  }
  // Personal ingest keys for those who send from their own machine (and for seats never used); the
  // rest send through the company's OpenTelemetry collector with its shared key.
  let keys = 0;
  for (const p of people)
    if (p.hasKey && (p.neverActive || p.index % 10 === 3)) {
      await createKey(store.db, { workspaceId: ws, scopes: ['ingest.write'], userEmail: p.email }, actor);
      keys++;
    }
  const collector = await createKey(
    store.db,
    { workspaceId: ws, scopes: ['ingest.write'], sharedCollector: true, name: 'otel-collector (demo)' },
    actor,
  );
  log(`${people.length} users, ${teams.length} teams, ${keys + 1} keys (${secs(t0)} s, ${cpu()} s CPU)`);

  // Codex activity, day by day. The older days are loaded in bulk (the pipeline's steps and the
  // ingest path's rows and rollup rules, nothing looked up, no archive), each made on a worker
  // thread while this one writes the one before (demo-days.thread.ts, decisions/0049); the last
  // `archiveDays` go through the ingest use-case and its group writer with their compliance records,
  // on serve's writer thread (SQLite files): the next batch is made here while the last one commits
  // there (decisions/0044).
  const principal: Principal = { workspaceId: ws, userId: '', keyId: collector.key.id, sharedCollector: true };
  const ingestOpts = {
    source: 'otlp' as const,
    hostName: 'otel-collector.demo',
    creditsPerUsd: config.pricing.credits_per_usd,
  };
  const emails = new Map(people.map((p, i) => [p.email, ids[i]!]));
  const firstArchived = opts.days - opts.archiveDays;
  let events = 0;
  let bulkEvents = 0;
  let archivedEvents = 0;
  const refused = (r: { rejected: unknown[] }) => {
    if (r.rejected.length) throw new Error(`demo events refused: ${JSON.stringify(r.rejected.slice(0, 3))}`);
  };
  const bulkDays = opts.bulk === false ? 0 : firstArchived;
  const spec = { users: opts.users, days: opts.days, seed: opts.seed, now: opts.now };
  const input = { spec, principal, ingest: ingestOpts, emails: [...emails] };
  // Code Review meanwhile, on this thread's time between two bulk days (it waits on the worker
  // making the next one) and the same connection; before the archived days, whose writer thread
  // would contend with it for SQLite's write lock (decisions/0056).
  const reviews = loadReviews(store, config, ws, opts, people).then((n) => {
    log(`${n} code review events (${secs(t0)} s, ${cpu()} s CPU)`);
    return n;
  });
  // Heard when awaited below; a bulk failure first must not leave it unhandled.
  reviews.catch(() => undefined);
  // In a store without facts, their secondary indexes are built after the bulk days (decisions/0056).
  if (bulkDays) {
    await withFactIndexesDeferred(store.db, async () => {
      for await (const { index, events: n, prepared } of preparedDays(input, bulkDays, opts.workers ?? 1)) {
        refused(prepared);
        await storePreparedFresh(store.db, prepared);
        events += n;
        bulkEvents += n;
        if ((index + 1) % 10 === 0)
          log(`day ${index + 1}/${opts.days}: ${events} events (${secs(t0)} s, ${cpu()} s CPU)`);
      }
    });
    log(`${bulkEvents} events loaded in bulk, indexes built (${secs(t0)} s, ${cpu()} s CPU)`);
  }
  const reviewEvents = await reviews;
  const runtime = createRuntime(store);
  await runtime.startWriterThread();
  try {
    const inFlight: Promise<unknown>[] = [];
    for (let index = bulkDays; index < opts.days; index++) {
      const content = index >= firstArchived;
      const day = demoDay(opts, people, index, content);
      for (let i = 0; i < day.events.length; i += BATCH) {
        const inputs = inputsOf(day.events.slice(i, i + BATCH), i);
        inFlight.push(
          ingestEvents(runtime.ingest, principal, inputs, { ...ingestOpts, recordCompliance: content }).then(refused),
        );
        if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
      }
      events += day.events.length;
      if (content) archivedEvents += day.events.length;
      if ((index + 1) % 10 === 0)
        log(`day ${index + 1}/${opts.days}: ${events} events (${secs(t0)} s, ${cpu()} s CPU)`);
    }
    await Promise.all(inFlight);
  } finally {
    await runtime.stop();
  }
  const archived = `${archivedEvents} of them archived`;
  log(`day ${opts.days}/${opts.days}: ${events} events, ${archived} (${secs(t0)} s, ${cpu()} s CPU)`);

  // Today's trailing-window base, as serve's daily job would build it (decisions/0042): the
  // dashboard's panels read it from the first minute instead of after the job's first tick.
  await buildWindows(store.db, ws, opts.now);
  log(`trailing-window base built (${secs(t0)} s, ${cpu()} s CPU)`);

  const summary = {
    users: people.length,
    teams: teams.length,
    keys: keys + 1,
    events,
    bulkEvents,
    archivedEvents,
    reviewEvents,
  };
  return { workspaceId: ws, owner: people[0]!, viewer: people[1]!, ...summary, seconds: Number(secs(t0)) };
}

// The code reviews of every day through the generic code review ingest, in batches of about 10,000
// events. Returns how many were stored.
async function loadReviews(store: Store, config: Config, ws: string, opts: DemoOptions, people: DemoPerson[]) {
  let reviewEvents = 0;
  let batch: ReviewEvent[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const r = await ingestCodeReviewEvents(
      store.db,
      config.github,
      ws,
      { host: DEMO_REVIEW_HOST, events: batch },
      opts.now,
    );
    if (r.rejected.length) throw new Error(`demo reviews refused: ${JSON.stringify(r.rejected.slice(0, 3))}`);
    reviewEvents += batch.length;
    batch = [];
  };
  for (let index = 0; index < opts.days; index++) {
    const day = demoReviewDay(opts, people, index);
    if (batch.length + day.length > 10_000) await flush();
    batch.push(...day);
  }
  await flush();
  return reviewEvents;
}

const inputsOf = (events: NormalizedEvent[], from = 0) => events.map((event, j) => ({ index: from + j, event }));
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);
// The process's CPU so far (every thread), user + sys: on a shared machine the steadier figure.
const cpu = () => {
  const u = process.cpuUsage();
  return ((u.user + u.system) / 1e6).toFixed(1);
};
