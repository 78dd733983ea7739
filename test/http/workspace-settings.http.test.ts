// The workspace's analytics settings on both databases (decisions/0052): PATCH .../settings narrows
// what the server allows and every email-bearing read follows it (usage rows, skills, the query
// model, the seat view, the per-user exports); the team floor is the larger of the server's and the
// workspace's; a server that hides emails cannot be widened; each change is an AUDIT_LOG record with
// before and after; a bad body is a 422 naming the field.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll } from '../support/compliance.js';
import { FIXTURES, loadOtlp, synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const DAY = 86_400_000;
const SKILL_RUN = 'events-0.171/agent-response-skill';

// The capture's events moved to yesterday (within every default window).
function skillBody(): any {
  const dir = path.join(FIXTURES, 'otlp', SKILL_RUN);
  const file = fs.readdirSync(dir).find((f) => f.startsWith('otel-logs-'))!;
  const b = loadOtlp(`${SKILL_RUN}/${file}`);
  const stamps: number[] = [];
  for (const rl of b.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords)
        for (const a of r.attributes) if (a.key === 'event.timestamp') stamps.push(Date.parse(a.value.stringValue));
  const shift = Math.floor((Date.now() - DAY - Math.max(...stamps)) / DAY) * DAY;
  for (const rl of b.resourceLogs)
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords)
        for (const a of r.attributes)
          if (a.key === 'event.timestamp')
            a.value.stringValue = new Date(Date.parse(a.value.stringValue) + shift).toISOString();
  return b;
}

for (const dialect of DIALECTS) {
  describe(`workspace analytics settings (${dialect})`, () => {
    let t: TestApp;
    let read = '';
    let teamId = '';
    const EMAILS = ['ana@x.io', 'bo@x.io', 'cy@x.io'];
    const W = () => `/v1/analytics/codex/workspaces/${t.workspaceId}`;
    const S = () => `/v1/admin/workspaces/${t.workspaceId}/settings`;
    const get = (url: string, key = read) => t.app.inject({ url, headers: { authorization: `Bearer ${key}` } });
    const patch = (body: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: S(),
        payload: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ownerKey}` },
      });
    const query = async (body: unknown) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `${W()}/query`,
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as any[];
    };
    // Every email each person-level read shows (null where hidden), by endpoint.
    const emailsShown = async () => {
      const json = async (url: string) => {
        const r = await get(url);
        assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
        return r.json();
      };
      const csv = (await get(`${W()}/exports/users.csv`)).body.trim().split('\n').slice(1);
      return {
        usage: (await json(`${W()}/usage?group_by=day`)).data.map((r: any) => r.email),
        skills: (await json(`${W()}/skills?group_by=day`)).data.map((r: any) => r.email),
        query: (await query({ metrics: ['turns'], dimensions: ['user'], date_range: '7d' })).map((r) => r.email),
        seats: (await json(`${W()}/adoption/seats`)).data.map((r: any) => r.email),
        export_json: (await json(`${W()}/exports/users.json`)).data.map((r: any) => r.email),
        export_csv: csv.map((line) => line.split(',')[4] || null),
      };
    };
    const teamRows = async () =>
      (await query({ metrics: ['turns'], dimensions: ['team'], date_range: '7d' })).map((r) => r.team_id);

    before(async () => {
      t = await makeApp(dialect, { analytics: { min_team_size: 2 } });
      read = await t.key(['codex.enterprise.analytics.read']);
      const now = Date.now() - 60_000;
      for (const [i, email] of EMAILS.entries()) {
        await t.user(email);
        const key = await t.key(['ingest.write'], email);
        const recs = [
          { conv: `c-${i}`, ts: now, kind: 'prompt' as const },
          { conv: `c-${i}`, ts: now + 1, kind: 'response' as const, input: 10 + i, output: 3 },
        ];
        const bodies = [synthPayload(recs), ...(i === 0 ? [skillBody()] : [])];
        for (const body of bodies) {
          const r = await t.app.inject({
            method: 'POST',
            url: '/v1/logs',
            payload: JSON.stringify(body),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          });
          assert.equal(r.statusCode, 200, r.body);
        }
      }
      const admin = (url: string, payload: unknown) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/admin/workspaces/${t.workspaceId}${url}`,
          payload: JSON.stringify(payload),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ownerKey}` },
        });
      const team = (await admin('/teams', { name: 'core' })).json();
      teamId = team.id;
      for (const email of EMAILS) assert.equal((await admin(`/teams/${team.id}/members`, { email })).statusCode, 200);
    });
    after(() => t?.close());

    it('emails appear everywhere until the workspace says no, then nowhere; the change is audited', async () => {
      const shown = await emailsShown();
      for (const [where, emails] of Object.entries(shown)) {
        assert.ok(emails.length > 0, `${where} has rows`);
        assert.ok(
          emails.every((e: unknown) => typeof e === 'string' && EMAILS.includes(e)),
          `${where}: ${emails}`,
        );
      }
      // The seat search finds by email, in any case, while emails may be shown.
      const found = async (text: string) =>
        (await get(`${W()}/adoption/seats?state=all&search=${encodeURIComponent(text)}`)).json();
      const bo = await found('BO@X');
      assert.deepEqual(
        bo.data.map((x: any) => x.email),
        ['bo@x.io'],
      );
      assert.equal(bo.total, 1);
      const boId = bo.data[0].user_id as string;
      assert.equal((await found('%')).total, 0, '% is taken literally');
      const r = await patch({ show_emails: false });
      assert.equal(r.statusCode, 200, r.body);
      // Hidden emails are not searched (a search would spell them out); the user id still is.
      assert.equal((await found('bo@x')).total, 0);
      // The id's random tail (UUIDv7s made a moment apart share their leading time bits).
      const byId = await found(boId.slice(-12).toUpperCase());
      assert.deepEqual(
        byId.data.map((x: any) => [x.user_id, x.email]),
        [[boId, null]],
      );
      assert.deepEqual(
        [r.json().show_emails, r.json().server, r.json().workspace, r.json().effective],
        [
          false,
          { show_emails: true, min_team_size: 2 },
          { show_emails: false, min_team_size: null },
          { show_emails: false, min_team_size: 2 },
        ],
      );
      for (const [where, emails] of Object.entries(await emailsShown())) {
        assert.ok(emails.length > 0, `${where} has rows`);
        assert.ok(
          emails.every((e: unknown) => e === null),
          `${where} still shows ${emails}`,
        );
      }
      // The reads record that they showed none.
      const records = (await downloadAll(t.app, t.workspaceId, t.ownerKey, 'AUDIT_LOG', 1000)).map(
        (x) => x.content as any,
      );
      const changed = records.filter((c) => c.action === 'settings.changed');
      assert.equal(changed.length, 1);
      assert.deepEqual(changed[0].target, { type: 'workspace', id: t.workspaceId });
      assert.deepEqual(changed[0].before.analytics, {
        show_emails: null,
        min_team_size: null,
        effective: { show_emails: true, min_team_size: 2 },
      });
      assert.deepEqual(changed[0].after.analytics, {
        show_emails: false,
        min_team_size: null,
        effective: { show_emails: false, min_team_size: 2 },
      });
      const views = records.filter((c) => c.action === 'person_data.viewed');
      assert.equal(views.at(-1).after.emails_shown, false);
      // The same value again changes nothing and writes nothing.
      assert.equal((await patch({ show_emails: false })).statusCode, 200);
      const again = await downloadAll(t.app, t.workspaceId, t.ownerKey, 'AUDIT_LOG', 1000);
      assert.equal(again.filter((x) => (x.content as any).action === 'settings.changed').length, 1);
      // Allowed again: shown again; the content policy kept beside it in the same document is untouched.
      assert.equal((await patch({ show_emails: true })).json().show_emails, true);
      assert.ok((await emailsShown()).export_json.every((e: unknown) => typeof e === 'string'));
    });

    it("the team floor is the larger of the server's and the workspace's; unreadable settings apply closed", async () => {
      assert.deepEqual(await teamRows(), [teamId], 'three members, server floor 2: shown alone');
      const raised = await patch({ min_team_size: 5 });
      assert.deepEqual(raised.json().effective, { show_emails: true, min_team_size: 5 });
      assert.deepEqual(await teamRows(), ['other']);
      const usage = await get(`${W()}/usage?group=team&group_by=day`);
      assert.deepEqual([...new Set(usage.json().data.map((r: any) => r.team_id))], ['other'], usage.body);
      const lowered = await patch({ min_team_size: 1 });
      assert.deepEqual(lowered.json().workspace.min_team_size, 1);
      assert.deepEqual(lowered.json().effective.min_team_size, 2, "the server's floor stays");
      assert.deepEqual(await teamRows(), [teamId]);
      const stored = await t.store.db.selectFrom('workspaces').select('settings').where('id', '=', t.workspaceId);
      const kept = (await stored.executeTakeFirstOrThrow()).settings;
      for (const settings of ['{not json', '{"analytics":{"min_team_size":"big","show_emails":true}}']) {
        await t.store.db.updateTable('workspaces').set({ settings }).where('id', '=', t.workspaceId).execute();
        assert.deepEqual(await teamRows(), ['other'], settings);
        const view = (await get(S(), t.ownerKey)).json();
        assert.equal(view.effective.min_team_size, Number.MAX_SAFE_INTEGER, settings);
        assert.ok(view.unreadable.length > 0, settings);
      }
      await t.store.db
        .updateTable('workspaces')
        .set({ settings: '{not json' })
        .where('id', '=', t.workspaceId)
        .execute();
      assert.ok(Object.values(await emailsShown()).every((xs) => xs.every((e: unknown) => e === null)));
      // Neither writer rewrites an unreadable document: starting from {} would drop its other sections
      // and let the server's defaults (emails shown) replace the closed ones.
      const manage = await t.key(['codex.enterprise.compliance.delete']);
      const refusals = [
        await patch({ show_emails: false }),
        await t.app.inject({
          method: 'PUT',
          url: `/v1/compliance/workspaces/${t.workspaceId}/policy`,
          payload: JSON.stringify({ dlp_terms: ['never-written'] }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${manage}` },
        }),
      ];
      for (const r of refusals) {
        assert.equal(r.statusCode, 409, r.body);
        assert.match(r.json().error.message, /settings document cannot be read/);
      }
      assert.equal((await stored.executeTakeFirstOrThrow()).settings, '{not json');
      await t.store.db.updateTable('workspaces').set({ settings: kept }).where('id', '=', t.workspaceId).execute();
    });

    it('a bad body is a 422 naming the field', async () => {
      for (const [body, field] of [
        [{ show_emails: 'yes' }, 'show_emails'],
        [{ min_team_size: 0 }, 'min_team_size'],
        [{ min_team_size: 2.5 }, 'min_team_size'],
        [{ min_team_size: '3' }, 'min_team_size'],
        [{ show_email: false }, 'show_email'],
      ] as const) {
        const r = await patch(body);
        assert.equal(r.statusCode, 422, `${JSON.stringify(body)}: ${r.body}`);
        assert.ok(
          r.json().detail.some((d: any) => d.loc.includes(field)),
          `${JSON.stringify(body)}: ${r.body}`,
        );
      }
      assert.equal((await get(S(), t.ownerKey)).json().workspace.show_emails, true, 'nothing was stored');
    });
  });
}

// A server that hides emails: no workspace setting brings them back.
for (const dialect of DIALECTS) {
  describe(`workspace settings under a server that hides emails (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await makeApp(dialect, { analytics: { show_emails: false, min_team_size: 4 } });
    });
    after(() => t?.close());

    it('show_emails true cannot widen the server, and a smaller floor does not lower it', async () => {
      await t.user('ana@x.io');
      const key = await t.key(['ingest.write'], 'ana@x.io');
      const now = Date.now() - 60_000;
      const recs = [
        { conv: 'c', ts: now, kind: 'prompt' as const },
        { conv: 'c', ts: now + 1, kind: 'response' as const, input: 10, output: 3 },
      ];
      const sent = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(synthPayload(recs)),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const r = await t.app.inject({
        method: 'PATCH',
        url: `/v1/admin/workspaces/${t.workspaceId}/settings`,
        payload: JSON.stringify({ show_emails: true, min_team_size: 2 }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ownerKey}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().workspace, { show_emails: true, min_team_size: 2 });
      assert.deepEqual(r.json().effective, { show_emails: false, min_team_size: 4 });
      const read = await t.key(['codex.enterprise.analytics.read']);
      const W = `/v1/analytics/codex/workspaces/${t.workspaceId}`;
      for (const url of [`${W}/usage?group_by=day`, `${W}/exports/users.json`, `${W}/adoption/seats`]) {
        const rows = (await t.app.inject({ url, headers: { authorization: `Bearer ${read}` } })).json().data;
        assert.ok(rows.length > 0, url);
        assert.ok(
          rows.every((x: any) => x.email === null),
          url,
        );
      }
    });
  });
}
