// OTLP and the session file of one session arriving at one node at the same moment (Codex exporting
// while `steward collect --watch` uploads): the ingest writer commits concurrent requests in one
// transaction, so both sources of a thread meet inside one group and must reconcile there, not only
// against stored rows. Hundreds of sessions, both sources sent together in both orders (some of
// them twice at once: duplicates within a group), then everything replayed at once; the usage API
// must equal the truth computed from the inputs (each session once), on both databases and on the
// SQLite writer thread `steward serve` uses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/stores.js';
import { sumTruth, syntheticSession } from '../support/sessions.js';
import type { DialectName } from '../../src/platform/storage/database.js';

const SESSIONS = 120;
const VARIANTS: { dialect: DialectName; thread: boolean }[] = [
  ...DIALECTS.map((dialect) => ({ dialect, thread: false })),
  { dialect: 'sqlite', thread: true },
];

for (const { dialect, thread } of VARIANTS) {
  describe(`OTLP and session files of the same sessions racing (${dialect}${thread ? ', writer thread' : ''})`, () => {
    let t: TestApp;
    let key: string;
    before(async () => {
      t = await makeApp(dialect, { ingest: { max_concurrent_batches: 64 } });
      if (thread) assert.ok(await t.ctx.runtime.startWriterThread());
      await t.user('race@x.io');
      key = await t.key(['ingest.write'], 'race@x.io');
    });
    after(async () => {
      await t.ctx.runtime.stop();
      await t.close();
    });

    // Like the exporters: a 429 (over max_concurrent_batches) is retried, backing off (doubling from
    // 5 ms to 200 ms, with jitter). Retrying every 5 ms, 300 waiting clients spent the process's CPU
    // on ~240,000 refusals and starved PostgreSQL's in-flight batches (4 min where 15 s will do).
    const post = async (url: string, payload: string) => {
      for (let attempt = 0; ; attempt++) {
        const r = await t.app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        });
        if (r.statusCode !== 429) {
          assert.equal(r.statusCode, 200, r.body);
          assert.ok(!r.body.includes('rejected'), r.body);
          return r;
        }
        const wait = Math.min(200, 5 * 2 ** attempt);
        await new Promise((res) => setTimeout(res, wait / 2 + Math.random() * wait));
      }
    };
    const otlp = (s: { otlp: string }) => post('/v1/logs', s.otlp);
    const file = (s: { upload: string }) => post('/v1/ingest/rollouts', s.upload);
    const totals = async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?group=workspace&start_time=${Math.floor(Date.now() / 1000) - 3 * 86_400}`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      const out: Record<string, number> = {};
      for (const row of res.json().data as { totals: Record<string, number> }[])
        for (const [k, v] of Object.entries(row.totals)) out[k] = (out[k] ?? 0) + v;
      return out;
    };

    it(`${SESSIONS} sessions, both sources at once in both orders, then replayed: each counted once`, async () => {
      // Noon of yesterday (UTC): the sessions' ~3 hours stay within one day, whose rows count each
      // thread once (a thread active on two days is in both days' rows, which the truth does not sum).
      const t0 = (Math.floor(Date.now() / 86_400_000) - 1) * 86_400_000 + 12 * 3600_000;
      const sessions = Array.from({ length: SESSIONS }, (_, i) =>
        syntheticSession(i, t0 + i * 100_000 - SESSIONS * 50_000, { subagent: i % 5 === 0 }),
      );
      const truth = sumTruth(sessions.map((s) => s.truth));
      await Promise.all(
        sessions.map((s, i) => {
          if (i % 6 === 5) return Promise.all([otlp(s), file(s), otlp(s), file(s)]); // duplicates within one group
          return i % 2 ? Promise.all([otlp(s), file(s)]) : Promise.all([file(s), otlp(s)]);
        }),
      );
      const doubled = async () => {
        const rows = await t.store.db
          .selectFrom('turns')
          .select(['thread_id'])
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .groupBy('thread_id')
          .execute();
        return rows.filter((r) => Number(r.n) > 2).length;
      };
      const check = async (what: string) => {
        const got = await totals();
        const n = await doubled();
        for (const [k, v] of Object.entries(truth))
          assert.equal(got[k], v, `${what}: ${k} ${got[k]} vs ${v} (${n} of ${SESSIONS} sessions doubled)`);
      };
      await check('both sources racing');
      // The stored facts carry the session file's ids whichever source was stored.
      const missing = await t.store.db
        .selectFrom('model_requests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('response_id', 'is', null)
        .executeTakeFirstOrThrow();
      assert.equal(Number(missing.n), 0, 'every stored response has its response_id');
      // Replays of both sources, all at once, change nothing.
      await Promise.all(sessions.flatMap((s) => [file(s), otlp(s)]));
      await check('after replays');
    });
  });
}
