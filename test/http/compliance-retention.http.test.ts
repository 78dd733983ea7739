// Retention and legal holds on both databases: records past retention lose their content unless a
// hold on their user, thread or time range covers them; hashes and metadata stay, so the chain
// still verifies and the API shows why content is gone; lifting a hold lets the next run remove it.
// Session-file content is CODEX_LOG records like these (session-items.http.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { synthPayload, type SynthRecord } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`retention and legal hold (${dialect})`, () => {
    let t: TestApp;
    let manage: string;
    const keys: Record<string, string> = {};
    const now = Date.now();
    const base = () => `/v1/compliance/workspaces/${t.workspaceId}`;
    const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
    const send = async (email: string, conv: string, ts: number) => {
      const recs: SynthRecord[] = [
        { conv, ts, kind: 'prompt' },
        { conv, ts: ts + 1, kind: 'response', input: 10, output: 5 },
      ];
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(synthPayload(recs)),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[email]}` },
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const contentByThread = async () => {
      const out = new Map<string, (string | null)[]>();
      for (const r of await downloadAll(t.app, t.workspaceId, manage, 'CODEX_LOG'))
        out.set(r.thread_id, [...(out.get(r.thread_id) ?? []), r.content === null ? r.content_removed : 'kept']);
      return out;
    };

    before(async () => {
      t = await makeApp(dialect, { compliance: { retention: { codex_log_days: 30 } } });
      for (const e of ['alice@x.io', 'bob@x.io']) {
        await t.user(e);
        keys[e] = await t.key(['ingest.write'], e);
      }
      manage = await t.key(['codex.enterprise.compliance.read', 'codex.enterprise.compliance.delete']);
      await send('alice@x.io', 'alice-old', now - 40 * DAY); // held: user
      await send('bob@x.io', 'bob-old', now - 40 * DAY); // not held: purged
      await send('bob@x.io', 'bob-held-thread', now - 50 * DAY); // held: thread
      await send('bob@x.io', 'bob-in-range', now - 44.5 * DAY); // held: time range
      await send('bob@x.io', 'bob-recent', now - 1 * DAY); // within retention
      await send('alice@x.io', 'alice-recent', now - 2 * DAY);
    });
    after(() => t.close());

    it('held records survive, others lose their content, and the chain still verifies', async () => {
      const holds = [
        { user: 'alice@x.io', reason: 'matter 42' },
        { thread_id: 'bob-held-thread' },
        { start_time: new Date(now - 45 * DAY).toISOString(), end_time: String(Math.floor((now - 44 * DAY) / 1000)) },
      ];
      const ids: string[] = [];
      for (const h of holds) {
        const r = await call('POST', `${base()}/holds`, h);
        assert.equal(r.statusCode, 201, r.body);
        ids.push(r.json().id);
      }
      assert.equal((await call('POST', `${base()}/holds`, { reason: 'nothing named' })).statusCode, 422);
      assert.equal((await call('POST', `${base()}/holds`, { user: 'nobody@x.io' })).statusCode, 422);
      const run = await call('POST', `${base()}/retention/run`);
      assert.equal(run.statusCode, 200, run.body);
      assert.equal(run.json().purged.CODEX_LOG, 2);
      assert.equal(run.json().active_holds, 3);
      const content = await contentByThread();
      assert.deepEqual(content.get('bob-old'), ['retention', 'retention']);
      for (const th of ['alice-old', 'bob-held-thread', 'bob-in-range', 'bob-recent', 'alice-recent'])
        assert.deepEqual(content.get(th), ['kept', 'kept'], th);
      // The turns and token facts stay (usage analytics are not content); only the archive's content goes.
      const v = (await call('GET', `${base()}/verify`)).json();
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      assert.equal(v.content_removed_by_retention, 2);

      // Lifting the user hold lets the next run remove alice's old content.
      assert.equal((await call('POST', `${base()}/holds/${ids[0]}/release`)).statusCode, 200);
      assert.equal((await call('POST', `${base()}/holds/${ids[0]}/release`)).statusCode, 409);
      assert.deepEqual(
        (await call('GET', `${base()}/holds?active=true`)).json().data.map((h: any) => h.id),
        ids.slice(1),
      );
      const run2 = await call('POST', `${base()}/retention/run`);
      assert.equal(run2.json().purged.CODEX_LOG, 2);
      assert.deepEqual((await contentByThread()).get('alice-old'), ['retention', 'retention']);
      const v2 = (await call('GET', `${base()}/verify`)).json();
      assert.equal(v2.ok, true, JSON.stringify(v2.first_bad));
      assert.equal(v2.content_removed_by_retention, 4);

      const audit = (await downloadAll(t.app, t.workspaceId, manage, 'AUDIT_LOG')).map((a) => a.content);
      const actions = audit.map((a) => a.action);
      assert.equal(actions.filter((a) => a === 'hold.placed').length, 3);
      assert.equal(actions.filter((a) => a === 'hold.released').length, 1);
      assert.equal(actions.filter((a) => a === 'retention.run').length, 2);
      const done = audit.filter((a) => a.action === 'retention.completed');
      assert.deepEqual(
        done.map((a) => a.after.purged.CODEX_LOG),
        [2, 2],
      );
      const placed = audit.find((a) => a.action === 'hold.placed' && a.after.reason === 'matter 42');
      assert.equal(placed.actor.type, 'key');
      assert.ok(placed.after.user_id);
    });
  });
}
