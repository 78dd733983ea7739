// The replica's fallback rules without a database (the real streaming replica is in
// test/http/read-replica.http.test.ts): only a connection failure sends reads to the primary, one
// try per retry interval while it is down, a dead pooled connection's first query runs on the
// primary, and a query error stays the query's.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { it } from 'node:test';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { readReplica, type ReplicaEvent } from './read-replica.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const syntax = () => Object.assign(new Error('syntax error at or near "selct"'), { code: '42601' });

function fakes() {
  const replica = {
    failConnect: null as null | (() => Error),
    failQuery: null as null | (() => Error),
    connects: 0,
    probes: 0,
  };
  const lagPool = Object.assign(new EventEmitter(), {
    query: async () => {
      replica.probes++;
      if (replica.failConnect) throw replica.failConnect();
      return { rows: [{ standby: true, streaming: false, caught_up: null, since: 5 }] };
    },
  }) as unknown as pg.Pool;
  const client = (who: string, fail?: () => Error | null): PostgresPoolClient =>
    ({
      query: async () => {
        const e = fail?.();
        if (e) throw e;
        return { rows: [{ who }] };
      },
      release: () => undefined,
    }) as unknown as PostgresPoolClient;
  const replicaPool: PostgresPool = {
    connect: async () => {
      replica.connects++;
      if (replica.failConnect) throw replica.failConnect();
      return client('replica', () => replica.failQuery?.() ?? null);
    },
    end: async () => undefined,
  };
  const primaryPool: PostgresPool = { connect: async () => client('primary'), end: async () => undefined };
  return { replica, lagPool, replicaPool, primaryPool };
}

const who = async (pool: PostgresPool) => {
  const c = await pool.connect();
  try {
    return ((await c.query('select', [])) as { rows: { who: string }[] }).rows[0]!.who;
  } finally {
    c.release();
  }
};

const tick = () => new Promise((r) => setImmediate(r));

it('reads go to the primary while the replica is unreachable; one background retry per interval', async () => {
  const f = fakes();
  let t = 1_000_000;
  const r = readReplica(f.lagPool, f.replicaPool, f.primaryPool, { retryMs: 5000, probeTimeoutMs: 100, now: () => t });
  const events: ReplicaEvent['kind'][] = [];
  r.replica.watch((e) => events.push(e.kind));

  assert.deepEqual(await r.replica.route(), { from: 'replica', lagMs: 5 });
  assert.equal(await who(r.pool), 'replica');

  f.replica.failConnect = refused;
  assert.equal(await who(r.pool), 'primary'); // the connection failed: the primary answered
  assert.equal(r.replica.status().state, 'down');
  const [connects, probes] = [f.replica.connects, f.replica.probes];
  assert.equal((await r.replica.route()).from, 'primary');
  assert.equal(await who(r.pool), 'primary');
  assert.equal((await r.replica.probe()).status.state, 'down');
  assert.deepEqual([f.replica.connects, f.replica.probes], [connects, probes], 'nothing tried before the retry is due');

  t += 5000;
  assert.equal(await who(r.pool), 'primary'); // answered by the primary at once; the retry runs behind it
  assert.equal(await who(r.pool), 'primary');
  await tick();
  assert.deepEqual([f.replica.connects, f.replica.probes], [connects, probes + 1], 'one probe per interval');
  assert.equal(r.replica.status().state, 'down');

  f.replica.failConnect = null;
  t += 5000;
  assert.equal((await r.replica.route()).from, 'primary'); // starts the retry, which succeeds
  await tick();
  assert.equal(r.replica.status().state, 'up');
  assert.deepEqual(await r.replica.route(), { from: 'replica', lagMs: 5 });
  assert.equal(await who(r.pool), 'replica');
  // The retries run beside the reads, so only the changes' order is fixed.
  assert.deepEqual(
    events.filter((k) => k !== 'fallback_read'),
    ['down', 'still_down', 'up'],
  );
  assert.equal(events.filter((k) => k === 'fallback_read').length, 6);
});

it("a query error is the query's; a dead pooled connection's first query runs on the primary", async () => {
  const f = fakes();
  const r = readReplica(f.lagPool, f.replicaPool, f.primaryPool, { retryMs: 5000, probeTimeoutMs: 100 });
  f.replica.failQuery = syntax;
  await assert.rejects(who(r.pool), /syntax error/);
  assert.equal(r.replica.status().state, 'up');

  f.replica.failQuery = () => new Error('Client has encountered a connection error and is not queryable');
  assert.equal(await who(r.pool), 'primary');
  assert.equal(r.replica.status().state, 'down');
});

it('an idle connection lost (the pool emits error) marks the replica down', async () => {
  const f = fakes();
  const r = readReplica(f.lagPool, f.replicaPool, f.primaryPool, { retryMs: 5000, probeTimeoutMs: 100 });
  (f.lagPool as unknown as EventEmitter).emit(
    'error',
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  );
  assert.equal(r.replica.status().state, 'down');
  assert.equal((await r.replica.route()).from, 'primary');
});
