// The optional Codex events, from real 0.169 and 0.171 captures (test/e2e/support/capture-events.ts),
// on both databases: codex.agent_response becomes the text of the response it answers (CODEX_LOG),
// codex.guardian_assessment a CODEX_SECURITY_LOG record, codex.skill_invocation a CODEX_LOG record and
// a counted fact; an event name nobody knows is kept and counted, never an error; replays append
// nothing; with the session file too, the merged view holds the final answer's text once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { foldFacts } from '../../src/core/compliance-merge.js';
import { makeApp, type TestApp } from '../support/app.js';
import { FIXTURES, loadOtlp, records } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

const RUNS = [
  'events-0.169/agent-response-skill',
  'events-0.169/guardian',
  'events-0.171/agent-response-skill',
  'events-0.171/guardian',
];
const bodies = (run: string) =>
  fs
    .readdirSync(path.join(FIXTURES, 'otlp', run))
    .filter((f) => f.startsWith('otel-logs-'))
    .sort()
    .map((f) => loadOtlp(`${run}/${f}`));

// Ground truth, read from the fixtures here (not through src/).
const all = RUNS.flatMap((r) => bodies(r).flatMap((b) => [...records(b)]));
const named = (n: string) => all.filter((a) => a['event.name'] === n);
const AGENT = named('codex.agent_response');
const GUARDIAN = named('codex.guardian_assessment');
const SKILLS = named('codex.skill_invocation');

type Rec = { id: string; event_type: string; content: Record<string, any> };

for (const dialect of DIALECTS) {
  describe(`Codex events beyond the facts (${dialect})`, () => {
    let t: TestApp;
    let key = '';
    let read = '';
    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      key = await t.key(['ingest.write'], 'dev@example.com');
      read = await t.key(['codex.enterprise.compliance.read']);
    });
    after(async () => t?.close());

    const post = async (url: string, payload: unknown) => {
      const r = await t.app.inject({
        method: 'POST',
        url,
        payload: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r;
    };
    const search = async (type: string, view = 'records'): Promise<Rec[]> => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/compliance/workspaces/${t.workspaceId}/search?event_type=${type}&limit=1000&view=${view}`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as Rec[];
    };
    const metric = async (kind: string, outcome: string) => {
      const r = await t.app.inject({ method: 'GET', url: '/metrics' });
      const m = new RegExp(`steward_ingest_facts_total\\{kind="${kind}",outcome="${outcome}"\\} (\\d+)`).exec(r.body);
      return m ? Number(m[1]) : 0;
    };

    it('archives every capture: responses carry the agent text, assessments and skills have records', async () => {
      assert.ok(AGENT.length >= 4 && GUARDIAN.length === 2 && SKILLS.length === 2, 'fixtures hold the events');
      for (const run of RUNS)
        for (const b of bodies(run)) {
          const r = await post('/v1/logs', b);
          assert.equal(r.json().partialSuccess, undefined, `${run}: nothing rejected`);
        }
      const log = await search('CODEX_LOG');
      const withText = log.filter((x) => x.content.kind === 'response' && x.content.response.text !== null);
      assert.deepEqual(
        withText.map((x) => [x.content.thread_id, x.content.turn_id, x.content.response.text]).sort(),
        AGENT.map((a) => [a['conversation.id'], a['turn.id'], a.response]).sort(),
      );
      // Every agent response found its response in the batch: none is left as a separate record.
      assert.equal(log.filter((x) => x.content.event_name === 'codex.agent_response').length, 0);
      const skills = log.filter((x) => x.content.kind === 'skill_invocation');
      assert.deepEqual(
        skills.map((x) => [x.content.thread_id, x.content.turn_id, x.content.skill.name, x.content.skill.scope]).sort(),
        SKILLS.map((a) => [a['conversation.id'], a['turn.id'], a['skill.name'], a['skill.scope']]).sort(),
      );
      const sec = (await search('CODEX_SECURITY_LOG')).filter((x) => x.content.kind === 'guardian_assessment');
      assert.deepEqual(
        sec
          .map((x) => [
            x.content.thread_id,
            x.content.attributes.risk_level,
            x.content.attributes.outcome,
            x.content.attributes.rationale,
          ])
          .sort(),
        GUARDIAN.map((a) => [a['conversation.id'], a.risk_level, a.outcome, a.rationale]).sort(),
      );
      assert.equal(await metric('skills', 'new'), SKILLS.length);
      assert.equal(await metric('events', 'new'), SKILLS.length + GUARDIAN.length + all.filter(kept).length);
      assert.equal(await metric('events', 'unknown'), 0);
    });

    it('a replay of every capture appends nothing', async () => {
      const before = (await search('CODEX_LOG')).length + (await search('CODEX_SECURITY_LOG')).length;
      for (const run of RUNS) for (const b of bodies(run)) await post('/v1/logs', b);
      assert.equal((await search('CODEX_LOG')).length + (await search('CODEX_SECURITY_LOG')).length, before);
    });

    it('an unknown event name is kept, counted as unknown, and the rest of the batch lands', async () => {
      const body = structuredClone(bodies(RUNS[0]!)[0]);
      const lr = body.resourceLogs[0].scopeLogs[0].logRecords;
      const future = structuredClone(
        lr.find((r: any) => r.attributes.some((a: any) => a.value.stringValue === 'codex.user_prompt')),
      );
      for (const a of future.attributes) if (a.key === 'event.name') a.value.stringValue = 'codex.future_event';
      future.attributes.push({ key: 'future.field', value: { stringValue: 'kept as it came' } });
      future.observedTimeUnixNano = '1796279999000000001';
      lr.push(future);
      const r = await post('/v1/logs', body);
      assert.equal(r.json().partialSuccess, undefined);
      const kept = (await search('CODEX_LOG')).filter((x) => x.content.event_name === 'codex.future_event');
      assert.equal(kept.length, 1);
      assert.equal(kept[0]!.content.known, false);
      assert.equal(kept[0]!.content.attributes['future.field'], 'kept as it came');
      assert.equal(await metric('events', 'unknown'), 1);
    });

    it("a session file's risk score is a CODEX_SECURITY_LOG record; retained context and realtime items are kept", async () => {
      // Derived from the newest upstream source (test/fixtures/rollouts/README.md): no real run wrote these types.
      const dir = path.join(FIXTURES, 'rollouts', '0.171', 'derived');
      const file = path.join(dir, fs.readdirSync(dir)[0]!);
      const parsed = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l));
      const payloadOf = (type: string) => parsed.find((l) => l.type === type).payload;
      const threadId = parsed[0].payload.id;
      const lines: WireLine[] = [];
      for await (const b of readLineBatches(file, 0, 0, 1 << 30)) lines.push(...b.lines.map(toWireLine));
      const upload = {
        host: 'dev-host',
        files: [{ path: `/home/dev/.codex/derived/${path.basename(file)}`, offset: 0, line: 0, lines, final: true }],
      };
      const r = (await post('/v1/ingest/rollouts', upload)).json();
      assert.deepEqual([r.files[0].skipped, r.files[0].unknown], [0, undefined], 'all three types are known');
      const risk = (await search('CODEX_SECURITY_LOG')).filter((x) => x.content.kind === 'risk_score');
      assert.deepEqual(
        risk.map((x) => [x.content.thread_id, x.content.event_name, x.content.severity, x.content.attributes]),
        [[threadId, 'security_risk_score', 'medium', payloadOf('security_risk_score')]],
      );
      const items = (await search('CODEX_LOG')).filter(
        (x) => x.content.kind === 'session_item' && x.content.item_kind === 'other' && x.content.thread_id === threadId,
      );
      for (const type of ['security_risk_score', 'retained_context', 'realtime_item'])
        assert.deepEqual(
          items.filter((x) => x.content.item.type === type).map((x) => x.content.item.raw),
          [payloadOf(type)],
          type,
        );
      // The same file from another machine: nothing new in the chain.
      const before = (await search('CODEX_SECURITY_LOG')).length + (await search('CODEX_LOG')).length;
      await post('/v1/ingest/rollouts', { ...upload, host: 'other-host' });
      assert.equal((await search('CODEX_SECURITY_LOG')).length + (await search('CODEX_LOG')).length, before);
    });

    it('with the session file as well, the merged view holds the final answer once', async () => {
      const dir = path.join(FIXTURES, 'rollouts', '0.169', 'events', 'agent-response-skill');
      const file = path.join(dir, fs.readdirSync(dir)[0]!);
      const lines: WireLine[] = [];
      for await (const b of readLineBatches(file, 0, 0, 1 << 30)) lines.push(...b.lines.map(toWireLine));
      await post('/v1/ingest/rollouts', {
        host: 'dev-host',
        files: [{ path: `/home/dev/.codex/sessions/${path.basename(file)}`, offset: 0, line: 0, lines, final: true }],
      });
      const thread = AGENT.find(
        (a) => a['app.version'] === '0.169.0' && SKILLS.some((s) => s['conversation.id'] === a['conversation.id']),
      )!;
      const log = (await search('CODEX_LOG')).filter((x) => x.content.thread_id === thread['conversation.id']);
      const facts = foldFacts(log, (x) => x.content.kind === 'response');
      const texts = facts.filter((f) => f.content.kind === 'response' && f.content.response);
      const answered = texts.filter((f) => (f.content.response as { text: unknown }).text === thread.response);
      assert.equal(answered.length, 1, 'one response fact carries the final answer');
      assert.equal(answered[0]!.record_ids.length, 2, 'the OTLP record and the file completion, folded');
    });
  });
}

// Known events the captures hold besides the three with meaning (kept as `known`), by the reference's list.
function kept(a: Record<string, unknown>): boolean {
  return ['codex.sandbox_outcome', 'codex.auth_recovery', 'codex.turn_cost'].includes(String(a['event.name']));
}
