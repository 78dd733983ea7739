// database_read_url (decisions/0040) against a real streaming replica: the Analytics API reads from
// the replica and says its lag in X-Steward-Replica-Lag-Ms, while ingest, the person_data.viewed
// record and compliance stay on the primary. Replay is paused on the replica to show both: the API
// then keeps answering the replica's older totals with a lag above 0, and catches up when resumed.
// A replica that cannot be reached (stopped, refusing, or silent past the connect timeout) sends
// reads to the primary, says so (header, metrics, a log line, /readyz) and is used again once it
// answers (decisions/0051).
import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../src/app/app.js';
import { createKey } from '../../src/access/keys.service.js';
import { addUser } from '../../src/access/users.service.js';
import { ensureBootstrapped } from '../../src/access/workspaces.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { configSchema } from '../../src/config/schema.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { openStore, type Store } from '../../src/platform/storage/database.js';
import { DIALECTS } from '../support/stores.js';
import { synthPayload } from '../support/otlp.js';
import { freePort, replicaUnavailable, startReplicaPair, type ReplicaPair } from '../support/pg-replica.js';

const why = !DIALECTS.includes('postgres') ? 'PostgreSQL is not among STEWARD_TEST_DIALECTS' : replicaUnavailable();
const until = async (what: string, cond: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

let pair: ReplicaPair;
let store: Store;
let app: Awaited<ReturnType<typeof buildApp>>['app'];
let replica: pg.Client;
let ws: string;
let owner: string;
let ingestKey: string;

before(async () => {
  if (why) return;
  pair = await startReplicaPair();
  store = openStore({ databaseUrl: pair.primaryUrl, databaseReadUrl: pair.replicaUrl, readRetryMs: 300 });
  await migrateToLatest(store.db);
  const boot = await ensureBootstrapped(store.db);
  ws = boot.workspace.id;
  owner = boot.ownerKey!.secret;
  await addUser(store.db, { workspaceId: ws, email: 'dev@example.com' }, cliActor());
  ingestKey = (
    await createKey(store.db, { workspaceId: ws, scopes: ['ingest.write'], userEmail: 'dev@example.com' }, cliActor())
  ).secret;
  ({ app } = await buildApp({ store, config: configSchema.parse({ database_url: pair.primaryUrl }) }));
  await app.ready();
  replica = new pg.Client({ connectionString: pair.replicaUrl });
  await replica.connect();
});

after(async () => {
  if (why) return;
  await replica?.end();
  await app?.close();
  await store?.close();
  await pair?.stop();
});

const lagGauge = async (a = app) => {
  const text = (await a.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(/^steward_read_replica_lag_seconds (\S+)$/m.exec(text)?.[1]);
};

const batch = (conv: string, input: number, output: number) =>
  synthPayload([
    { conv, ts: Date.now() - 60_000, kind: 'prompt' },
    { conv, ts: Date.now() - 59_000, kind: 'response', input, cached: 0, output },
  ]);

async function ingest(payload: unknown) {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/logs',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });
  assert.equal(r.statusCode, 200, r.body);
}

/** The dashboard's query model (POST .../query, decisions/0033): one statement, as a panel sends it. */
async function queried(dimensions: string[] = []) {
  // Yesterday too: the batches are a minute old, which may be yesterday just after midnight.
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const r = await app.inject({
    method: 'POST',
    url: `/v1/analytics/codex/workspaces/${ws}/query`,
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    payload: {
      metrics: ['text_output_tokens'],
      dimensions,
      date_range: [day(Date.now() - 86_400_000), day(Date.now())],
    },
  });
  assert.equal(r.statusCode, 200, r.body);
  let output = 0;
  for (const row of r.json().data) output += Number(row.text_output_tokens);
  return output;
}

async function usage(group = 'workspace', a = app) {
  const r = await a.inject({
    method: 'GET',
    url: `/v1/analytics/codex/workspaces/${ws}/usage?group=${group}`,
    headers: { authorization: `Bearer ${owner}` },
  });
  assert.equal(r.statusCode, 200, r.body);
  let output = 0;
  for (const row of r.json().data) output += row.totals.text_output_tokens;
  return {
    output,
    lag: r.headers['x-steward-replica-lag-ms'] as string | undefined,
    fallback: r.headers['x-steward-replica-fallback'] as string | undefined,
  };
}

it('analytics reads come from the replica, with its lag in X-Steward-Replica-Lag-Ms', {
  skip: why ?? false,
}, async () => {
  await ingest(batch('replica-a', 1000, 111));
  // Streaming: the replica has the batch within moments, and says it is current.
  await until('the replica replays batch A', async () => (await usage()).output === 111);
  await until('lag 0 once caught up', async () => (await usage()).lag === '0');

  await replica.query('select pg_wal_replay_pause()');
  await ingest(batch('replica-b', 2000, 222)); // acknowledged: committed on the primary
  const primary = new pg.Client({ connectionString: pair.primaryUrl });
  await primary.connect();
  const onPrimary = await primary.query('select sum(output_tokens)::int as n from model_requests');
  await primary.end();
  assert.equal(onPrimary.rows[0].n, 333);
  // The API still answers the paused replica's totals, and says they are behind.
  await until('a lag above 0 while replay is paused', async () => Number((await usage()).lag) > 0);
  assert.equal((await usage()).output, 111);
  // The query model reads the replica too (with its statement settings on the replica's connection).
  assert.equal(await queried(), 111);
  assert.equal(await queried(['user']), 111);
  // The lag gauge says so too (decisions/0055), at least the lag the header gave a moment ago.
  const said = Number((await usage()).lag) / 1000;
  const gauge = await lagGauge();
  assert.ok(gauge >= said && gauge < said + 60, `gauge ${gauge} s, header ${said} s`);

  await replica.query('select pg_wal_replay_resume()');
  await until('the replica replays batch B', async () => (await usage()).output === 333);
  await until('lag 0 again', async () => (await usage()).lag === '0');
  assert.equal(await lagGauge(), 0);
  assert.equal(await queried(['user']), 333);

  // Person-level rows write person_data.viewed: that write goes to the primary (the replica is
  // read-only and would refuse it).
  const before = await replica.query(
    `select count(*)::int as n from compliance_records where event_type = 'AUDIT_LOG'`,
  );
  assert.equal((await usage('user')).output, 333);
  await until('the view record reaches the replica', async () => {
    const n = await replica.query(`select count(*)::int as n from compliance_records where event_type = 'AUDIT_LOG'`);
    return n.rows[0].n > before.rows[0].n;
  });
});

it('/readyz reports the replica (streaming, lagging, unreachable) and stays ready', {
  skip: why ?? false,
}, async () => {
  const ready = async (a: typeof app) => {
    const r = await a.inject({ method: 'GET', url: '/readyz' });
    return { code: r.statusCode, body: r.json() };
  };
  const strict = (
    await buildApp({
      store,
      config: configSchema.parse({ database_url: pair.primaryUrl, database_read_max_lag_seconds: 0.5 }),
    })
  ).app;
  // A replica nobody listens on: refused at once.
  const nowhere = openStore({
    databaseUrl: pair.primaryUrl,
    databaseReadUrl: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
  });
  const orphan = (await buildApp({ store: nowhere, config: configSchema.parse({ database_url: pair.primaryUrl }) }))
    .app;
  // A replica that takes the connection and never answers: given up after the connect timeout.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((c) => sockets.add(c));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const mute = openStore({
    databaseUrl: pair.primaryUrl,
    databaseReadUrl: `postgres://postgres@127.0.0.1:${(silent.address() as net.AddressInfo).port}/postgres`,
    readConnectTimeoutMs: 300,
  });
  const muted = (await buildApp({ store: mute, config: configSchema.parse({ database_url: pair.primaryUrl }) })).app;
  try {
    await until('the replica current', async () => (await usage()).lag === '0');
    assert.deepEqual(await ready(strict), {
      code: 200,
      body: {
        status: 'ready',
        database: 'postgres',
        replica: { state: 'streaming', reads_from: 'replica', lag_ms: 0, max_lag_ms: 500 },
      },
    });

    for (const a of [orphan, muted]) {
      // The primary answers the reads (its totals, current), and says why.
      const totals = await usage('workspace', a);
      assert.equal(totals.fallback, 'unreachable');
      assert.equal(totals.lag, undefined);
      assert.equal(totals.output, (await usage()).output);
      const down = await ready(a);
      assert.equal(down.code, 200, JSON.stringify(down.body));
      assert.equal(down.body.replica.state, 'unreachable');
      assert.equal(down.body.replica.reads_from, 'primary');
      assert.ok(down.body.replica.error, JSON.stringify(down.body));
    }
    assert.match((await ready(muted)).body.replica.error, /timeout/);

    await replica.query('select pg_wal_replay_pause()');
    try {
      await ingest(batch('replica-ready', 10, 1));
      await until(
        'readyz reports the replica lagging',
        async () => (await ready(strict)).body.replica.state === 'lagging',
      );
      const lagging = await ready(strict);
      assert.equal(lagging.code, 200);
      assert.equal(lagging.body.replica.reads_from, 'replica');
      assert.ok(lagging.body.replica.lag_ms > 500, JSON.stringify(lagging.body));
      // The default bound (300 s) is not crossed by the same lag.
      assert.equal((await ready(app)).body.replica.state, 'streaming');
    } finally {
      await replica.query('select pg_wal_replay_resume()');
    }
    await until('streaming again once the replica caught up', async () => {
      return (await ready(strict)).body.replica.state === 'streaming';
    });
  } finally {
    await strict.close();
    await orphan.close();
    await nowhere.close();
    await muted.close();
    await mute.close();
    for (const c of sockets) c.destroy();
    silent.close();
  }
});

it('a stopped replica: the primary answers the same totals and says so; once it is back, reads return to it', {
  skip: why ?? false,
}, async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const { app: watched } = await buildApp({
    store,
    config: configSchema.parse({ database_url: pair.primaryUrl }),
    logger: { level: 'info', stream: sink },
  });
  const metric = async (name: string) => {
    const text = (await watched.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  const said = (msg: RegExp) => lines.filter((l) => msg.test(String(l.msg)));
  let stopped = false;
  try {
    await until('the replica current', async () => (await usage('workspace', watched)).lag === '0');
    const before = await usage('workspace', watched);
    assert.equal(await metric('steward_read_replica_up'), 1);
    // Connections to the replica are open and idle in the pool when it goes away.
    await replica.end();
    await pair.stopReplica();
    stopped = true;

    // The first read may still have been routed to the replica (its lag is checked at most once a
    // second); it gets a dead connection and runs on the primary. Either way: answered, same totals.
    assert.equal((await usage('workspace', watched)).output, before.output);
    const during = await usage('workspace', watched);
    assert.deepEqual(during, { output: before.output, lag: undefined, fallback: 'unreachable' });
    assert.equal(await metric('steward_read_replica_up'), 0);
    assert.ok(Number.isNaN(await lagGauge(watched)), 'no lag figure while it cannot be reached');
    // Several reads while it is down: each is answered by the primary, and counted.
    for (let i = 0; i < 5; i++) assert.equal((await usage('workspace', watched)).fallback, 'unreachable');
    assert.ok((await metric('steward_read_replica_fallback_reads_total')) >= 6);
    // Ingest goes on (the primary), and the primary's answer has it at once.
    await ingest(batch('replica-down', 1, 7));
    assert.equal((await usage('workspace', watched)).output, before.output + 7);
    const ready = await watched.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().replica.state, 'unreachable');
    // Retries every 300 ms fail meanwhile; one warning line said it, not one per read or retry.
    await new Promise((r) => setTimeout(r, 1000));
    await usage('workspace', watched);
    assert.equal(
      said(/read replica unreachable/).length,
      1,
      JSON.stringify(lines.filter((l) => Number(l.level) >= 40)),
    );
    assert.equal(said(/still unreachable/).length, 0);

    await pair.startReplica();
    stopped = false;
    await until('reads from the replica again', async () => (await usage('workspace', watched)).lag !== undefined);
    await until('the replica has the batch ingested while it was down', async () => {
      const r = await usage('workspace', watched);
      return r.output === before.output + 7 && r.lag === '0';
    });
    assert.equal((await usage('workspace', watched)).fallback, undefined);
    assert.equal(await metric('steward_read_replica_up'), 1);
    assert.equal(said(/read replica reachable again/).length, 1);
    const back = await watched.inject({ method: 'GET', url: '/readyz' });
    assert.equal(back.json().replica.state, 'streaming');
  } finally {
    if (stopped) await pair.startReplica();
    await watched.close();
    replica = new pg.Client({ connectionString: pair.replicaUrl });
    await replica.connect();
  }
});

// A TCP relay to the replica that can be cut the way a network loss is: nothing is said to the
// idle connections (they look open), the next bytes a client sends get its connection reset, and
// new connections are refused.
async function relayTo(port: number) {
  let cut = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect(port, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (d) => (cut ? client.resetAndDestroy() : upstream.write(d)));
    upstream.on('data', (d) => !cut && client.write(d));
    for (const s of pair) s.on('error', () => undefined).on('close', () => pair.forEach((x) => x.destroy()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => (cut = true),
    close: () => {
      for (const p of pairs) p.forEach((x) => x.destroy());
      server.close();
    },
  };
}

it('a replica lost between the lag check and the query: the headers name the primary that answered', {
  skip: why ?? false,
}, async () => {
  const relay = await relayTo(Number(new URL(pair.replicaUrl).port));
  const url = new URL(pair.replicaUrl);
  url.port = String(relay.port);
  const relayed = openStore({ databaseUrl: pair.primaryUrl, databaseReadUrl: url.toString(), readRetryMs: 60_000 });
  const { app: a } = await buildApp({ store: relayed, config: configSchema.parse({ database_url: pair.primaryUrl }) });
  try {
    await until('the replica current', async () => (await usage('workspace', a)).lag === '0');
    const current = await usage('workspace', a);
    assert.deepEqual(current, { output: current.output, lag: '0', fallback: undefined });
    // A fresh lag answer (reads within the next second route by it), then the replica is lost.
    assert.equal((await relayed.replica!.probe()).lagMs, 0);
    relay.cut();
    const r = await usage('workspace', a);
    // The route said replica; its query found the connection dead and ran on the primary.
    assert.deepEqual(r, { output: current.output, lag: undefined, fallback: 'unreachable' });
    assert.equal(relayed.replica!.status().state, 'down');
  } finally {
    await a.close();
    await relayed.close();
    relay.close();
  }
});
