// The dashboard's reads about people, on both databases: one user's threads (turns and tokens per
// thread equal those counted here from the fixture records sent; newest first; pages; a member
// reaches only their own) and the seat view (keys, sign-ins, never active, inactive for 14/30/60
// days, days to first use, machines), against what this test set up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { asBrowser, signIn, userWithPassword } from '../support/accounts.js';
import { loadOtlp, records, shiftTimes } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';
import { weekOf } from '../../src/core/time.js';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY);
const TITLE = 'Generate a concise, single-line task title';

// A fixture as `who` sends it at `at`: its threads renamed so that every sender's are their own.
function payloadFor(fixture: string, who: string, at: number): any {
  const p = shiftTimes(loadOtlp(`${fixture}.otel-logs.json`), at);
  for (const rl of p.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const r of sl.logRecords ?? [])
        for (const kv of r.attributes ?? [])
          if (kv.key === 'conversation.id') kv.value.stringValue = `${kv.value.stringValue}-${who}`;
  return p;
}

/** Per thread, from the records: turns (real prompts) and input + output tokens of completed responses. */
function threadTruth(payloads: any[]) {
  const out = new Map<string, { turns: number; tokens: number }>();
  for (const p of payloads)
    for (const a of records(p)) {
      const id = String(a['conversation.id'] ?? '');
      if (!id) continue;
      const t = out.get(id) ?? out.set(id, { turns: 0, tokens: 0 }).get(id)!;
      if (a['event.name'] === 'codex.user_prompt' && !String(a.prompt ?? '').startsWith(TITLE)) t.turns++;
      if (a['event.kind'] === 'response.completed' && a.input_token_count !== undefined)
        t.tokens += Number(a.input_token_count) + Number(a.output_token_count);
    }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`people reads: a user's threads and the seat view (${dialect})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const sent: Record<string, any[]> = {};
    const get = (path: string, key = t.ownerKey) =>
      t.app.inject({
        method: 'GET',
        url: `/v1/analytics/codex/workspaces/${t.workspaceId}${path}`,
        headers: { authorization: `Bearer ${key}` },
      });
    const send = async (email: string, fixture: string, at: number) => {
      const key = await t.key(['ingest.write'], email);
      const body = payloadFor(fixture, email.split('@')[0], at);
      (sent[email] ??= []).push(body);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      assert.equal(r.statusCode, 200, r.body);
    };

    before(async () => {
      const analytics = { min_team_size: 3, show_emails: false };
      t = await makeApp(dialect, { analytics, public_url: 'https://steward.example.com' });
      // dev: active today and 3 days ago, added 5 days before first use. idle: 25 and 20 days ago.
      // gone: 45 days ago. keyonly: a key, never active. pw: a password, never active. bare: neither.
      for (const e of ['dev', 'idle', 'gone', 'keyonly', 'bare', 'ci']) ids[e] = await t.user(`${e}@x.io`);
      ids.pw = await userWithPassword(t, 'pw@x.io', 'member');
      await send('dev@x.io', 'tui', (today - 3) * DAY + 3_600_000);
      await send('dev@x.io', 'exec-json', today * DAY + 60_000);
      await send('idle@x.io', 'appserver-vscode', (today - 20) * DAY + 3_600_000);
      // Older data arriving later (an import of old session files) moves the first active day back.
      await send('idle@x.io', 'auth-apikey', (today - 25) * DAY + 3_600_000);
      await send('gone@x.io', 'exec-json', (today - 45) * DAY + 3_600_000);
      await t.key(['ingest.write'], 'keyonly@x.io');
      await t.key(['ingest.write'], 'ci@x.io', { service: true });
      await send('ci@x.io', 'tui', today * DAY + 120_000);
      const added = (today - 8) * DAY;
      await t.store.db.updateTable('users').set({ created_at: added }).where('id', '=', ids.dev).execute();
    });
    after(() => t?.close());

    it("lists a user's threads newest first, each with the turns and tokens its records hold", async () => {
      const r = await get(`/users/${ids.dev}/threads?start_time=${(today - 10) * 86400}`);
      assert.equal(r.statusCode, 200, r.body);
      const rows = r.json().data as any[];
      const truth = threadTruth(sent['dev@x.io']);
      const real = [...truth].filter(([, v]) => v.turns > 0).map(([k]) => k);
      assert.ok(real.length >= 2, 'both fixtures hold a real thread');
      // Helper threads (a title request holds no real prompt) are no threads, as the usage rows count.
      assert.deepEqual(rows.map((x) => x.thread_id).sort(), real.sort());
      for (const row of rows) {
        const want = truth.get(row.thread_id);
        assert.ok(want, `${row.thread_id} was sent`);
        assert.equal(row.turns, want.turns, `turns of ${row.thread_id}`);
        assert.equal(row.text_total_tokens, want.tokens, `tokens of ${row.thread_id}`);
        assert.equal(row.user_id, ids.dev);
      }
      const starts = rows.map((x) => x.started_at);
      assert.deepEqual(
        starts,
        [...starts].sort((a, b) => b - a),
        'newest first',
      );
      assert.ok(starts[0] >= today * 86400, "today's thread first");
      // The threads' turns add up to the user's usage rows over the same days.
      const usage = await get(`/usage?start_time=${(today - 10) * 86400}&group=user&limit=1000`);
      const own = (usage.json().data as any[]).filter((u) => u.user_id === ids.dev);
      const sum = (xs: any[], f: (x: any) => number) => xs.reduce((n, x) => n + f(x), 0);
      // user_id keeps that user's rows, exactly those of the unfiltered page.
      const longer = `/usage?start_time=${(today - 50) * 86400}&group=user`;
      const everyone = (await get(longer)).json().data as any[];
      const one = (await get(`${longer}&user_id=${ids.dev}`)).json().data;
      assert.deepEqual(
        one,
        everyone.filter((u) => u.user_id === ids.dev),
      );
      assert.ok(one.length >= 2 && everyone.length > one.length);
      const wrong = await get(`/usage?group=workspace&user_id=${ids.dev}`);
      assert.equal(wrong.statusCode, 422);
      assert.match(wrong.body, /user_id/);
      assert.equal(
        sum(rows, (x) => x.turns),
        sum(own, (u) => u.totals.turns),
      );
      assert.equal(
        rows.length,
        sum(own, (u) => u.totals.threads),
      );

      // Pages: one thread per page, the same threads in the same order.
      const paged: string[] = [];
      let next: string | null = null;
      do {
        const q: string = `?start_time=${(today - 10) * 86400}&limit=1${next ? `&page=${next}` : ''}`;
        const p: any = (await get(`/users/${ids.dev}/threads${q}`)).json();
        paged.push(...p.data.map((x: any) => x.thread_id));
        next = p.has_more ? p.next_page : null;
      } while (next);
      assert.deepEqual(
        paged,
        rows.map((x) => x.thread_id),
      );
      // The window: 45 days back holds gone's thread, the default 30 days does not.
      assert.equal((await get(`/users/${ids.gone}/threads`)).json().data.length, 0);
      const old = await get(`/users/${ids.gone}/threads?start_time=${(today - 50) * 86400}`);
      assert.ok(old.json().data.length >= 1);
      const bad = await get(`/users/${ids.dev}/threads?since=1`);
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /since/);
    });

    it('pages through 1,200 threads of which every third is a helper, 500 at a time', async () => {
      // Written straight into the fact tables (as ingest leaves them), to have more threads than
      // fixtures hold: a thread counts when a counted turn put it in its week's set.
      ids.bulk = await t.user('bulk@x.io');
      const db = t.store.db;
      const at = (i: number) => (today - 5) * DAY + i * 1000;
      const all = Array.from({ length: 1200 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
      for (let i = 0; i < all.length; i += 200) {
        const slice = all.slice(i, i + 200);
        const row = (id: string) => ({ n: Number(id.slice(5)), id });
        await db
          .insertInto('threads')
          .values(
            slice.map(row).map(({ n, id }) => ({
              workspace_id: t.workspaceId,
              thread_id: id,
              user_id: ids.bulk,
              client_id: 'CODEX_CLI',
              originator: null,
              thread_kind: 'user',
              parent_thread_id: null,
              first_seen_at: at(n),
              model: null,
              approval_policy: null,
              sandbox_policy: null,
              host_name: null,
              source: 'otlp',
            })),
          )
          .execute();
        await db
          .insertInto('turns')
          .values(
            slice.map(row).map(({ n, id }) => ({
              workspace_id: t.workspaceId,
              turn_key: `${id}:t`,
              turn_id: null,
              thread_id: id,
              user_id: ids.bulk,
              client_id: 'CODEX_CLI',
              ts: at(n) + 1,
              model: null,
              prompt_length: 1,
              source: 'otlp',
              match_thread: id,
            })),
          )
          .execute();
        const counted = slice.map(row).filter(({ n }) => n % 3 !== 2);
        await db
          .insertInto('thread_week_set')
          .values(counted.map(({ n, id }) => ({ workspace_id: t.workspaceId, bucket: weekOf(at(n)), thread_id: id })))
          .execute();
      }
      const want = all.filter((_, n) => n % 3 !== 2).reverse(); // newest first
      const got: string[] = [];
      let next: string | null = null;
      do {
        const q: string = `?start_time=${(today - 10) * 86400}&limit=500${next ? `&page=${next}` : ''}`;
        const r = await get(`/users/${ids.bulk}/threads${q}`);
        assert.equal(r.statusCode, 200, r.body);
        const p: any = r.json();
        assert.ok(p.data.length === 500 || !p.has_more, 'every page but the last is full');
        got.push(...p.data.map((x: any) => x.thread_id));
        next = p.has_more ? p.next_page : null;
      } while (next);
      assert.equal(got.length, 800);
      assert.deepEqual(got, want);
    });

    it('a member reads only their own threads; anyone else is a 404 to them', async () => {
      await t.store.db.updateTable('users').set({ role: 'member' }).where('id', '=', ids.dev).execute();
      await userWithPassword(t, 'dev2@x.io', 'member');
      const b = await signIn(t, 'pw@x.io');
      const url = (id: string) => `/v1/analytics/codex/workspaces/${t.workspaceId}/users/${id}/threads`;
      assert.equal((await asBrowser(t, b, { method: 'GET', url: url(ids.pw) })).statusCode, 200);
      const other = await asBrowser(t, b, { method: 'GET', url: url(ids.dev) });
      assert.equal(other.statusCode, 404, other.body);
      assert.equal((await get(`/users/nobody/threads`)).statusCode, 404);
    });

    // Every seat of the workspace, with its figures, read page by page (2 a page: pages join up).
    const allSeats = async (q = '') => {
      const out: any[] = [];
      let offset: number | null = 0;
      let total = -1;
      while (offset !== null) {
        const r = await get(`/adoption/seats?limit=2&offset=${offset}${q}`);
        assert.equal(r.statusCode, 200, r.body);
        const p = r.json();
        if (total >= 0) assert.equal(p.total, total, 'the same total on every page');
        total = p.total;
        out.push(...p.data);
        offset = p.next_offset;
      }
      assert.equal(out.length, total);
      return out;
    };

    it('counts seats, keys, sign-ins, the never active and the inactive as set up here', async () => {
      const r = await get('/adoption');
      assert.equal(r.statusCode, 200, r.body);
      const a = r.json();
      assert.equal(a.users, undefined, 'the figures only: the seats come a page at a time');
      // Seats: every user this test added plus the bootstrap owner, less the service identity.
      const users = await t.store.db.selectFrom('users').select(['id', 'service']).execute();
      const people = users.filter((u) => !u.service);
      assert.equal(a.seats, people.length);
      const seats = await allSeats('&state=all');
      assert.deepEqual(seats.map((u) => u.user_id).sort(), people.map((u) => u.id).sort(), 'no service identity');
      const row = (k: string) => seats.find((u: any) => u.user_id === ids[k]);
      assert.deepEqual(
        ['dev', 'idle', 'gone', 'keyonly', 'pw', 'bare'].map((k) => [k, row(k).has_key, row(k).has_sign_in]),
        [
          ['dev', true, false],
          ['idle', true, false],
          ['gone', true, false],
          ['keyonly', true, false],
          ['pw', false, true],
          ['bare', false, false],
        ],
      );
      assert.deepEqual(
        ['dev', 'idle', 'gone'].map((k) => [row(k).idle_days, row(k).first_active_at]),
        [
          [0, (today - 3) * 86400],
          [20, (today - 25) * 86400],
          [45, (today - 45) * 86400],
        ],
      );
      assert.equal(row('dev').days_to_first_use, 5);
      assert.equal(row('keyonly').first_active_at, null);
      // Active: dev, idle, gone; never active with a key or sign-in: keyonly, pw (and the owners'
      // bootstrap user holds the owner key); bare has neither.
      const keyedOrSignedIn = seats.filter((u: any) => u.first_active_at === null && (u.has_key || u.has_sign_in));
      assert.equal(a.never_active, keyedOrSignedIn.length);
      assert.ok(keyedOrSignedIn.some((u: any) => u.user_id === ids.keyonly));
      assert.ok(keyedOrSignedIn.some((u: any) => u.user_id === ids.pw));
      assert.ok(!keyedOrSignedIn.some((u: any) => u.user_id === ids.bare));
      assert.equal(a.activated, 3);
      assert.deepEqual(a.inactive, { 14: 2, 30: 1, 60: 0 });
      assert.equal(a.active_last_14_days, 1);
      assert.equal(a.with_key, seats.filter((u) => u.has_key).length);
      assert.equal(a.with_sign_in, seats.filter((u) => u.has_sign_in).length);
      assert.equal(a.set_up, seats.filter((u) => u.has_key || u.has_sign_in).length);
      assert.equal(a.median_days_to_first_use, 0); // dev 5, idle 0, gone 0
      assert.deepEqual(a.days_to_first_use, { '0': 2, '1-7': 1, '8-30': 0, '31+': 0 });
      assert.equal(row('dev').machines, 1); // both fixtures ran on the host "vm"
      const devTurns = [...threadTruth(sent['dev@x.io']).values()].reduce((n, v) => n + v.turns, 0);
      assert.equal(row('dev').turns_30d, devTurns);
      assert.equal(row('gone').turns_30d, 0);
      assert.ok(
        seats.every((u: any) => u.email === null),
        'analytics.show_emails is off',
      );
      assert.equal((await get('/adoption?x=1')).statusCode, 422);
      // The settings the dashboard's admin page shows: this server's config, the workspace setting none.
      const settings = await t.app.inject({
        url: `/v1/admin/workspaces/${t.workspaceId}/settings`,
        headers: { authorization: `Bearer ${t.ownerKey}` },
      });
      assert.deepEqual(settings.json(), {
        object: 'workspace.settings',
        show_emails: false,
        min_team_size: 3,
        lookback_days: 90,
        public_url: 'https://steward.example.com',
        server: { show_emails: false, min_team_size: 3 },
        workspace: { show_emails: null, min_team_size: null },
        effective: { show_emails: false, min_team_size: 3 },
        unreadable: [],
      });
    });

    it('pages seats by state, sorted on the server, each state exactly the seats it names', async () => {
      const seats = await allSeats();
      const ids_ = (xs: any[]) => xs.map((u) => u.user_id);
      const byState: Record<string, (u: any) => boolean> = {
        never_active: (u) => u.first_active_at === null && (u.has_key || u.has_sign_in),
        active: (u) => u.idle_days !== null && u.idle_days < 14,
        inactive_14: (u) => u.idle_days !== null && u.idle_days >= 14,
        inactive_30: (u) => u.idle_days !== null && u.idle_days >= 30,
        inactive_60: (u) => u.idle_days !== null && u.idle_days >= 60,
      };
      for (const [state, keep] of Object.entries(byState))
        assert.deepEqual(ids_(await allSeats(`&state=${state}`)).sort(), ids_(seats.filter(keep)).sort(), state);
      assert.deepEqual(ids_(await allSeats('&state=inactive_14')).sort(), [ids.gone, ids.idle].sort());
      // The default order: idle days, most first, the never active last; ties by user id.
      const nullsLast = (k: string, desc: boolean) => (x: any, y: any) =>
        (x[k] === null ? 1 : 0) - (y[k] === null ? 1 : 0) ||
        (x[k] === y[k] ? 0 : (x[k] < y[k] ? -1 : 1) * (desc ? -1 : 1)) ||
        (x.user_id < y.user_id ? -1 : 1);
      assert.deepEqual(ids_(seats), ids_([...seats].sort(nullsLast('idle_days', true))));
      // added_at is in seconds; users added within one second sort by their milliseconds.
      const addedMs = new Map(
        (await t.store.db.selectFrom('users').select(['id', 'created_at']).execute()).map((u) => [
          u.id,
          Number(u.created_at),
        ]),
      );
      for (const u of seats) u.added_ms = addedMs.get(u.user_id);
      for (const [sort, key] of [
        ['added_at', 'added_ms'],
        ['first_active_at', 'first_active_at'],
        ['last_active_at', 'last_active_at'],
        ['days_to_first_use', 'days_to_first_use'],
        ['idle_days', 'idle_days'],
      ])
        for (const order of ['asc', 'desc'])
          assert.deepEqual(
            ids_(await allSeats(`&sort=${sort}&order=${order}`)),
            ids_([...seats].sort(nullsLast(key, order === 'desc'))),
            `${sort} ${order}`,
          );
      // Chosen users only (the keys page asks for the holders it shows).
      const two = (await get(`/adoption/seats?user_id=${ids.dev},${ids.gone}&state=all`)).json();
      assert.deepEqual(ids_(two.data).sort(), [ids.dev, ids.gone].sort());
      assert.equal(two.total, 2);
      // Past the last row: nothing, and the count still of all.
      const past = (await get('/adoption/seats?offset=500')).json();
      assert.deepEqual([past.data, past.has_more, past.next_offset, past.total], [[], false, null, seats.length]);
      // A page of seats is a person-level read; the figures are not.
      const views = async () =>
        (await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute())
          .map((c) => JSON.parse(c.content))
          .filter((c) => c.action === 'person_data.viewed' && c.after?.what === 'analytics.adoption');
      const before = (await views()).length;
      await get('/adoption');
      assert.equal((await views()).length, before);
      await get('/adoption/seats?limit=3&state=all');
      const last = (await views()).at(-1);
      assert.equal((await views()).length, before + 1);
      assert.equal(last.after.user_ids.length, 3);
    });

    it('refuses a bad seat query with a 422 naming the parameter', async () => {
      for (const [q, field] of [
        ['state=asleep', 'state'],
        ['sort=turns_30d', 'sort'],
        ['order=up', 'order'],
        ['offset=-1', 'offset'],
        ['offset=x', 'offset'],
        ['limit=1001', 'limit'],
        ['limit=0', 'limit'],
        [`user_id=${Array.from({ length: 1001 }, (_, i) => `u${i}`).join(',')}`, 'user_id'],
        ['other=1', 'other'],
        [`search=${'x'.repeat(201)}`, 'search'],
      ]) {
        const r = await get(`/adoption/seats?${q}`);
        assert.equal(r.statusCode, 422, `${q}: ${r.body}`);
        assert.deepEqual(r.json().detail[0].loc, ['query', field], q);
      }
    });
  });
}
