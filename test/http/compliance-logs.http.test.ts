// The Compliance Logs API on both databases: the real Codex captures become CODEX_LOG records whose
// content equals what the captures say (prompts, token usage, tool arguments/output/status/duration,
// request metadata); replays add nothing; secrets are found, recorded as CODEX_SECURITY_LOG and
// redacted everywhere they are stored; log files page OpenAI-style, stream gzip, and search finds.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { makeApp, type TestApp } from '../support/app.js';
import { downloadAll, fixtureFacts } from '../support/compliance.js';
import { loadOtlp, shiftTimes, synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';

const FIXTURES = ['exec-json', 'exec-resume', 'tui', 'appserver-vscode', 'review', 'auth-chatgpt', 'auth-apikey'];
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const GH_TOKEN = 'ghp_' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8';

const s = (v: string) => ({ stringValue: v });
// A Codex-shaped payload whose prompt carries a fake AWS key and whose tool output carries a token.
function secretPayload(conv: string, ts: number) {
  const p = synthPayload([{ conv, ts, kind: 'prompt' }]);
  const recs = p.resourceLogs[0].scopeLogs[0].logRecords;
  recs[0].attributes.find((a: any) => a.key === 'prompt').value = s(`deploy it, the key is ${AWS_KEY} thanks`);
  recs.push({
    timeUnixNano: '0',
    observedTimeUnixNano: String(BigInt(ts + 5) * 1_000_000n),
    attributes: [
      { key: 'event.name', value: s('codex.tool_result') },
      { key: 'event.timestamp', value: s(new Date(ts + 5).toISOString()) },
      { key: 'conversation.id', value: s(conv) },
      { key: 'originator', value: s('codex_exec') },
      { key: 'model', value: s('gpt-5.5') },
      { key: 'call_id', value: s('call_secret') },
      { key: 'tool_name', value: s('exec_command') },
      { key: 'arguments', value: s('{"cmd":"cat ~/.config/gh/hosts.yml"}') },
      { key: 'output', value: s(`oauth_token: ${GH_TOKEN}\nProcess exited with code 0\n`) },
      { key: 'success', value: s('true') },
      { key: 'duration_ms', value: s('12') },
    ],
  });
  return p;
}

for (const dialect of DIALECTS) {
  describe(`compliance logs API (${dialect})`, () => {
    let t: TestApp;
    let ingestKey: string;
    let readKey: string;
    const now = Date.now();
    const payloads = FIXTURES.map((n, i) =>
      shiftTimes(loadOtlp(`${n}.otel-logs.json`), now - 3 * 3600_000 + i * 60_000),
    );
    const post = (body: unknown, key = ingestKey) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
    const get = (url: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${readKey}`, ...headers } });
    const base = () => `/v1/compliance/workspaces/${t.workspaceId}`;

    before(async () => {
      t = await makeApp(dialect, { compliance: { log_file_window_seconds: 60 } });
      await t.user('dev@example.com');
      ingestKey = await t.key(['ingest.write'], 'dev@example.com');
      readKey = await t.key(['codex.enterprise.compliance.read']);
    });
    after(() => t.close());

    it('CODEX_LOG content equals what the captures say, and a replay adds nothing', async () => {
      for (const p of payloads) assert.equal((await post(p)).statusCode, 200);
      const first = await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_LOG', 2);
      for (const p of payloads) assert.equal((await post(p)).statusCode, 200);
      const records = await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_LOG');
      assert.equal(records.length, first.length, 'replay appended records');
      assert.deepEqual(
        records.map((r) => r.id),
        first.map((r) => r.id),
        'paging with limit=2 and one page lists the same files',
      );

      const truth = fixtureFacts(payloads);
      const of = (kind: string) => records.filter((r) => r.content.kind === kind).map((r) => r.content);
      const byText = (a: { thread: string; text: string }, b: { thread: string; text: string }) =>
        (a.thread + a.text).localeCompare(b.thread + b.text);
      assert.deepEqual(
        of('prompt')
          .map((c) => ({ thread: c.thread_id, text: c.prompt.text }))
          .sort(byText),
        [...truth.prompts].sort(byText),
      );
      for (const c of of('prompt')) assert.equal(c.prompt.length, c.prompt.text.length);

      const resp = (x: {
        thread: string;
        model: string;
        input: number;
        cached: number;
        output: number;
        reasoning: number;
      }) => `${x.thread} ${x.model} ${x.input}/${x.cached}/${x.output}/${x.reasoning}`;
      assert.deepEqual(
        of('response')
          .map((c) =>
            resp({
              thread: c.thread_id,
              model: c.model,
              input: c.response.usage.input_tokens,
              cached: c.response.usage.cached_input_tokens,
              output: c.response.usage.output_tokens,
              reasoning: c.response.usage.reasoning_tokens,
            }),
          )
          .sort(),
        truth.responses.map(resp).sort(),
      );
      for (const c of of('response'))
        assert.equal(c.response.usage.total_tokens, c.response.usage.input_tokens + c.response.usage.output_tokens);

      const tools = of('tool_call');
      for (const tr of truth.toolResults) {
        const calls = tools.filter((c) => c.thread_id === tr.thread && c.tool.call_id === tr.callId);
        const merged = Object.assign(
          {},
          ...calls.map((c) => Object.fromEntries(Object.entries(c.tool).filter(([, v]) => v !== null))),
        );
        assert.equal(merged.arguments, tr.arguments);
        assert.equal(merged.output, tr.output);
        assert.equal(merged.success, tr.success);
        assert.equal(merged.duration_ms, tr.durationMs);
        assert.equal(merged.name, tr.name);
        const exit = /Process exited with code (\d+)/.exec(tr.output)?.[1];
        if (exit !== undefined) assert.equal(merged.exit_status, Number(exit));
      }
      for (const d of truth.toolDecisions)
        assert.ok(
          tools.some((c) => c.thread_id === d.thread && c.tool.call_id === d.callId && c.tool.decision === d.decision),
          `decision of ${d.callId}`,
        );

      assert.deepEqual(new Set(of('session_start').map((c) => c.thread_id)), truth.sessions);
      for (const r of records) {
        assert.ok(truth.hosts.has(r.content.request.host), r.content.request.host);
        assert.equal(r.content.request.app_version, '0.169.0');
        assert.equal(r.content.request.key_id !== null, true);
        assert.equal(r.event_type, 'CODEX_LOG');
        assert.equal(r.content.workspace_id, t.workspaceId);
        assert.equal(r.thread_id, r.content.thread_id);
      }
      const v = (await get(`${base()}/verify`)).json();
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
    });

    it('a prompt with a fake AWS key yields a security finding and is redacted wherever it is stored', async () => {
      const conv = '01a20000-0000-7000-8000-00000000a115';
      const payload = secretPayload(conv, now - 600_000);
      assert.equal((await post(payload)).statusCode, 200);
      assert.equal((await post(payload)).statusCode, 200); // a replay finds nothing new
      const findings = (await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_SECURITY_LOG')).filter(
        (r) => r.thread_id === conv,
      );
      assert.deepEqual(findings.map((f) => [f.content.kind, f.content.rule_id, f.content.location.field]).sort(), [
        ['dlp', 'aws_access_key_id', 'prompt'],
        ['dlp', 'github_token', 'tool_output'],
      ]);
      const aws = findings.find((f) => f.content.rule_id === 'aws_access_key_id')!.content;
      assert.equal(aws.location.start, 'deploy it, the key is '.length);
      assert.equal(aws.location.end - aws.location.start, AWS_KEY.length);
      assert.equal(aws.secret.shown, 'AKIA');
      assert.match(aws.excerpt, /the key is \[REDACTED:aws_access_key_id\] thanks/);
      assert.equal(aws.action, 'redacted_in_stored_content');

      const logs = (await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_LOG')).filter((r) => r.thread_id === conv);
      const prompt = logs.find((r) => r.content.kind === 'prompt')!.content.prompt;
      assert.equal(prompt.text, 'deploy it, the key is [REDACTED:aws_access_key_id] thanks');
      assert.equal(prompt.redactions, 1);
      assert.match(
        logs.find((r) => r.content.kind === 'tool_call')!.content.tool.output,
        /oauth_token: \[REDACTED:github_token\]/,
      );

      // No table holds either secret.
      for (const table of ['turns', 'tool_events', 'compliance_content']) {
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.store.db);
        const dump = JSON.stringify(rows.rows);
        assert.ok(!dump.includes(AWS_KEY) && !dump.includes(GH_TOKEN), `${table} holds a secret`);
      }
      // Nor does the search index: the secrets find nothing, their redaction markers find the records.
      const found = async (q: string) =>
        (await get(`${base()}/search?q=${encodeURIComponent(q)}&thread_id=${conv}&limit=100`)).json().data.length;
      // Before the indexer ran (the search scans the records past the index) and after.
      for (const indexed of [false, true]) {
        if (indexed) assert.ok((await indexPending(t.store.db)) > 0);
        assert.deepEqual([await found(AWS_KEY), await found(AWS_KEY.slice(4, 12)), await found(GH_TOKEN)], [0, 0, 0]);
        assert.ok((await found('[REDACTED:aws_access_key_id]')) >= 1);
        assert.ok((await found('[REDACTED:github_token]')) >= 1);
      }
    });

    it('log files page OpenAI-style, download as gzip on request, and give the freshness watermark', async () => {
      const list = (q: string) =>
        get(`${base()}/logs?${q}`).then((r) => (assert.equal(r.statusCode, 200, r.body), r.json()));
      const all = await list('event_type=CODEX_LOG&limit=1000');
      assert.equal(all.has_more, false);
      assert.ok(all.data.length >= 1);
      for (const f of all.data)
        assert.deepEqual(Object.keys(f).sort(), ['end_time', 'event_type', 'id', 'object', 'start_time', 'url']);
      // Polling from the last end time returns nothing new until something is recorded (the
      // download audit records are AUDIT_LOG, not CODEX_LOG).
      const again = await list(`event_type=CODEX_LOG&after=${encodeURIComponent(all.last_end_time)}`);
      assert.deepEqual([again.data.length, again.has_more, again.last_end_time], [0, false, all.last_end_time]);

      const file = all.data[all.data.length - 1];
      const plain = await get(file.url);
      // A listed file never changes: records that arrive later land in later files.
      assert.equal((await post(synthPayload([{ conv: 'late-1', ts: now - 500_000, kind: 'prompt' }]))).statusCode, 200);
      assert.equal((await get(file.url)).body, plain.body);
      const next = await list(`event_type=CODEX_LOG&after=${encodeURIComponent(all.last_end_time)}`);
      assert.equal(next.data.length, 1);
      assert.equal(next.data[0].start_time, all.last_end_time);
      assert.match((await get(next.data[0].url)).body, /"thread_id":"late-1"/);
      assert.equal(plain.headers['content-type'], 'application/x-ndjson; charset=utf-8');
      const gz = await get(file.url, { 'accept-encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(zlib.gunzipSync(gz.rawPayload).toString(), plain.body);
      assert.equal((await get(`${base()}/logs/lf_CODEX_LOG_x_1`)).statusCode, 404);
      assert.equal((await get(`${base()}/logs?event_type=NOPE`)).statusCode, 422);
      assert.equal((await get(`${base()}/logs?after=yesterday`)).statusCode, 422);
      // Huge integers are refused as the parameter they are, on both databases, not a 500.
      for (const q of [
        'logs?after=99999999999999999999',
        'search?start_time=99999999999999999999',
        'search?end_time=99999999999999999999',
      ]) {
        const r = await get(`${base()}/${q}`);
        assert.equal(r.statusCode, 422, `${q}: ${r.body}`);
        assert.deepEqual(r.json().detail[0].loc, ['query', q.split('?')[1].split('=')[0]]);
      }

      const maxTs = Math.max(...(await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_LOG')).map((r) => r.ts));
      assert.equal(
        (await get(`${base()}/max_event_time?event_type=CODEX_LOG`)).json().max_event_time,
        new Date(maxTs).toISOString(),
      );
      // Downloads are audited.
      const audits = await downloadAll(t.app, t.workspaceId, readKey, 'AUDIT_LOG');
      assert.ok(
        audits.some((a) => a.content.action === 'compliance.exported' && a.content.after.log_file_id === file.id),
      );
    });

    it('search finds by user, thread, event type, time range and text, with cursor paging', async () => {
      const search = (q: string) =>
        get(`${base()}/search?${q}`).then((r) => (assert.equal(r.statusCode, 200, r.body), r.json()));
      const conv = '01a20000-0000-7000-8000-00000000a115';
      const byThread = await search(`thread_id=${conv}`);
      assert.ok(byThread.data.length >= 4 && byThread.data.every((r: any) => r.thread_id === conv));
      const text = await search(`q=${encodeURIComponent('REDACTED:AWS_ACCESS')}&event_type=CODEX_LOG`);
      assert.deepEqual(
        text.data.map((r: any) => r.content.kind),
        ['prompt'],
      );
      const byUser = await search('user=dev@example.com&event_type=CODEX_LOG,CODEX_SECURITY_LOG&limit=3');
      assert.equal(byUser.data.length, 3);
      assert.equal(byUser.has_more, true);
      const seen: string[] = [];
      for (let page = byUser; ; ) {
        seen.push(...page.data.map((r: any) => r.id));
        if (!page.has_more) break;
        page = await search(
          `user=dev@example.com&event_type=CODEX_LOG,CODEX_SECURITY_LOG&limit=3&after=${page.next_cursor}`,
        );
      }
      assert.equal(new Set(seen).size, seen.length);
      const total = (await search('user=dev@example.com&event_type=CODEX_LOG,CODEX_SECURITY_LOG&limit=1000')).data
        .length;
      assert.equal(seen.length, total);
      const window = await search(
        `event_type=CODEX_LOG&start_time=${Math.floor((now - 601_000) / 1000)}&end_time=${Math.floor((now - 590_000) / 1000)}`,
      );
      assert.ok(
        window.data.length >= 2 && window.data.every((r: any) => r.ts >= now - 601_000 && r.ts < now - 590_000),
      );
      assert.equal((await get(`${base()}/search?after=garbage`)).statusCode, 422);
      assert.deepEqual((await search('user=nobody@example.com')).data, []);
    });

    it('the content policy hashes or drops content from then on, flags disallowed sandbox modes once, and is audited', async () => {
      const manage = await t.key(['codex.enterprise.compliance.delete']);
      const put = (body: unknown) =>
        t.app.inject({
          method: 'PUT',
          url: `${base()}/policy`,
          payload: JSON.stringify(body),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${manage}` },
        });
      assert.equal((await put({ prompt: 'encrypt' })).statusCode, 422);
      const r = await put({ prompt: 'hash', tool_output: 'redact', allowed_sandbox_policies: ['workspace-write'] });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((await get(`${base()}/policy`)).json().prompt, 'hash');
      const p = shiftTimes(loadOtlp('exec-json.otel-logs.json'), now - 120_000);
      const conv = 'policy-thread-1';
      for (const rl of p.resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const rec of sl.logRecords)
            for (const kv of rec.attributes) if (kv.key === 'conversation.id') kv.value.stringValue = conv;
      assert.equal((await post(p)).statusCode, 200);
      assert.equal((await post(p)).statusCode, 200);
      const logs = (await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_LOG')).filter((x) => x.thread_id === conv);
      const prompt = logs.find((x) => x.content.kind === 'prompt')!.content.prompt;
      assert.match(prompt.text, /^sha256:[0-9a-f]{64}$/);
      assert.equal(prompt.policy, 'hash');
      const tool = logs.find((x) => x.content.kind === 'tool_call' && x.content.tool.output_info.policy)!.content.tool;
      assert.deepEqual([tool.output, tool.output_info.policy], [null, 'redact']);
      // The usage fact keeps the prompt's length, never its text (content lives in the archive only).
      const turn = await t.store.db
        .selectFrom('turns')
        .selectAll()
        .where('thread_id', '=', conv)
        .executeTakeFirstOrThrow();
      assert.equal(Number(turn.prompt_length), prompt.length);
      assert.ok(!('prompt' in turn));
      const policyFindings = (await downloadAll(t.app, t.workspaceId, readKey, 'CODEX_SECURITY_LOG')).filter(
        (x) => x.thread_id === conv,
      );
      assert.deepEqual(
        policyFindings.map((f) => [f.content.kind, f.content.rule_id, f.content.value]),
        [['policy', 'sandbox_policy_not_allowed', 'read-only']],
      );
      const audit = (await downloadAll(t.app, t.workspaceId, readKey, 'AUDIT_LOG')).find(
        (a) => a.content.action === 'settings.changed',
      )!;
      assert.equal(audit.content.before.compliance.prompt, 'store');
      assert.equal(audit.content.after.compliance.prompt, 'hash');
      assert.equal(audit.content.actor.type, 'key');
      await put({ prompt: 'store', tool_output: 'store', allowed_sandbox_policies: null });
    });
  });
}
