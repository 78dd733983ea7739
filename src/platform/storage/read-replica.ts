// A streaming replica for the reads that may lag (decisions/0040), and what happens when it cannot
// be reached (decisions/0051): reads go to the primary, the replica is tried again once per retry
// interval, and whoever watches (metrics, logs) hears of every change. Only a connection failure
// (refused, timed out, closed, shutting down) counts; a query the replica answers with an error is
// that query's error, as on the primary.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { isConnectionError } from './errors.js';

export type ReplicaEvent =
  | { kind: 'down'; error: string; retryMs: number }
  | { kind: 'still_down'; error: string; downMs: number; fallbackReads: number }
  | { kind: 'up'; downMs: number; fallbackReads: number }
  | { kind: 'fallback_read' };

export interface ReplicaStatus {
  state: 'up' | 'down';
  /** When the state last changed (ms since the epoch). */
  since: number;
  /** Why it went down (the last failure while down). */
  error?: string;
  /** While down: when the next read may try it again. */
  retryAt?: number;
}

export type ReadRoute = { from: 'replica'; lagMs: number | null } | { from: 'primary'; status: ReplicaStatus };

/** Which stores answered the reads of a tracked call (a replica lost mid-way: both). */
export type AnsweredBy = ReadonlySet<'replica' | 'primary'>;

export interface ReadReplica {
  /** Where the next read goes: the replica with its lag, or the primary while the replica is down. */
  route(): Promise<ReadRoute>;
  /** For /readyz: the replica's lag now if it is up; if it is down, its state (a due retry starts). */
  probe(): Promise<{ status: ReplicaStatus; lagMs: number | null }>;
  status(): ReplicaStatus;
  /** Called on every change and every read sent to the primary instead; returns the unsubscribe. */
  watch(listener: (e: ReplicaEvent) => void): () => void;
  /**
   * Runs `read` and says which stores answered the queries it sent through the read pool: the
   * route is decided before the read, and a replica lost in between sends its queries to the primary.
   */
  track<T>(read: () => Promise<T>): Promise<{ value: T; by: AnsweredBy }>;
}

export interface ReplicaOptions {
  /** How long reads stay on the primary before the replica is tried again. */
  retryMs: number;
  /** How long the lag query (the probe) may take before the replica counts as unreachable. */
  probeTimeoutMs: number;
  now?: () => number;
}

/**
 * The replica's health and the pool the read Kysely uses: a connection it cannot open (or the first
 * query of one that turns out dead) is taken from the primary instead, so a replica lost between
 * two checks still costs no failed read.
 */
export function readReplica(
  replica: pg.Pool,
  replicaPool: PostgresPool,
  primaryPool: PostgresPool,
  opts: ReplicaOptions,
): { replica: ReadReplica; pool: PostgresPool } {
  const now = opts.now ?? Date.now;
  let status: ReplicaStatus = { state: 'up', since: now() };
  let fallbackReads = 0;
  const listeners = new Set<(e: ReplicaEvent) => void>();
  const emit = (e: ReplicaEvent) => {
    for (const l of listeners) l(e);
  };
  const down = (err: unknown) => {
    const error = (err as Error)?.message ?? String(err);
    const t = now();
    if (status.state === 'up') {
      status = { state: 'down', since: t, error, retryAt: t + opts.retryMs };
      fallbackReads = 0;
      emit({ kind: 'down', error, retryMs: opts.retryMs });
    } else {
      status = { ...status, error, retryAt: t + opts.retryMs };
      emit({ kind: 'still_down', error, downMs: t - status.since, fallbackReads });
    }
  };
  const up = () => {
    if (status.state === 'up') return;
    const t = now();
    emit({ kind: 'up', downMs: t - status.since, fallbackReads });
    status = { state: 'up', since: t };
  };
  // Per call of track(), through the async context its queries run in (connect() is called from
  // Kysely within the caller's awaits); one per store, as the pools are.
  const answering = new AsyncLocalStorage<Set<'replica' | 'primary'>>();
  const answered = (by: 'replica' | 'primary') => answering.getStore()?.add(by);
  const fellBack = () => {
    fallbackReads++;
    answered('primary');
    emit({ kind: 'fallback_read' });
  };
  const lag = replicaLag(replica, opts.probeTimeoutMs, (err) => down(err));
  // While down, the replica is tried again once per retry interval, in the background: no read (and
  // no /readyz) waits for a replica that may take the whole connect timeout to fail again.
  let retrying = false;
  const retryIfDue = () => {
    if (status.state === 'up' || retrying || now() < status.retryAt!) return;
    status = { ...status, retryAt: now() + opts.retryMs };
    retrying = true;
    void lag.get(true).finally(() => (retrying = false));
  };
  const pool: PostgresPool = {
    async connect() {
      if (status.state === 'down') {
        retryIfDue();
        fellBack();
        return primaryPool.connect();
      }
      let client: PostgresPoolClient;
      try {
        client = await replicaPool.connect();
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        down(e);
        fellBack();
        return primaryPool.connect();
      }
      // A pooled connection whose server went away fails on its first use: nothing ran on it, so
      // that query can run on the primary instead. Later failures are the query's (it may be
      // inside a transaction) and surface as a storage error.
      let used = false;
      let current = client;
      const query = async (text: string, values: readonly unknown[]) => {
        if (used) return current.query(text, values);
        used = true;
        try {
          const r = await current.query(text, values);
          answered('replica');
          return r;
        } catch (e) {
          if (!isConnectionError(e)) throw e;
          down(e);
          current.release();
          fellBack();
          current = await primaryPool.connect();
          return current.query(text, values);
        }
      };
      return { query, release: () => current.release() } as unknown as PostgresPoolClient;
    },
    // The pools are ended by the store, each once.
    end: async () => undefined,
  };
  // An idle connection whose server went away: pg-pool drops it and emits 'error' on the pool,
  // which would be an uncaught exception without a listener.
  replica.on('error', (err) => {
    if (isConnectionError(err)) down(err);
  });

  const api: ReadReplica = {
    async route() {
      if (status.state === 'down') {
        retryIfDue();
        fellBack();
        return { from: 'primary', status };
      }
      const lagMs = await lag.get();
      // The lag query may have just found it unreachable.
      if (status.state !== 'up') {
        fellBack();
        return { from: 'primary', status };
      }
      return { from: 'replica', lagMs };
    },
    async probe() {
      if (status.state === 'down') {
        retryIfDue();
        return { status, lagMs: null };
      }
      const lagMs = await lag.get(true);
      return { status, lagMs };
    },
    status: () => status,
    async track(read) {
      const by = new Set<'replica' | 'primary'>();
      const value = await answering.run(by, read);
      return { value, by };
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  // Reaching the replica at all (the lag query answered) is what brings it back up.
  lag.onAnswer(up);
  return { replica: api, pool };
}

// A replica's lag: 0 while it has replayed all the WAL it received and its receiver streams; else
// the time since the last transaction it replayed (an idle primary sends nothing, so that time alone
// would grow while the replica is current). Asked at most once a second: every analytics response
// reports it, and a round trip per request would cost more than the figure is worth. A connection
// failure, or no answer within the probe timeout (a replica gone silent keeps pooled connections
// that look open), marks the replica down (the caller then reads from the primary); any other
// error leaves the lag unknown.
const LAG_SQL = `select pg_is_in_recovery() as standby,
  exists (select 1 from pg_stat_wal_receiver where status = 'streaming') as streaming,
  pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() as caught_up,
  (extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000)::float8 as since`;

function replicaLag(pool: pg.Pool, timeoutMs: number, unreachable: (err: unknown) => void) {
  let cached: { at: number; value: Promise<number | null> } | null = null;
  let answered = () => {};
  const ask = async (): Promise<number | null> => {
    let rows: { standby: boolean; streaming: boolean; caught_up: boolean | null; since: number | null }[];
    try {
      rows = (await pool.query({ text: LAG_SQL, query_timeout: timeoutMs } as pg.QueryConfig)).rows;
    } catch (e) {
      cached = null; // asked again at the next try, not in a second
      if (isConnectionError(e) || /Query read timeout/.test((e as Error).message)) unreachable(e);
      else answered(); // it answered, with an error: reachable, its lag unknown
      return null;
    }
    answered();
    const row = rows[0];
    if (!row?.standby) return 0; // pointed at a primary: as fresh as it gets
    if (row.streaming && row.caught_up) return 0;
    return row.since === null ? null : Math.max(0, Math.round(row.since));
  };
  return {
    get(fresh = false): Promise<number | null> {
      const t = Date.now();
      if (fresh || !cached || t - cached.at >= 1000) {
        const entry = { at: t, value: ask() };
        cached = entry;
        return entry.value;
      }
      return cached.value;
    },
    onAnswer(f: () => void) {
      answered = f;
    },
  };
}
