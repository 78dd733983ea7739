// DLP over what Codex sends beside prompts, responses and tool traffic (decisions/0032), on both
// databases, from the real 0.171 guardian capture: an AWS secret key in a guardian assessment's
// rationale, in an attribute of an event name nobody knows, and in the payload of a session-file
// line of an unknown type; a term of the workspace's dictionary in the rationale too. None of them
// reaches the archive; the OTLP ones are DLP findings like a prompt's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { FIXTURES, loadOtlp } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';
import { sessionItems } from '../support/compliance.js';

const RUN = 'events-0.171/guardian';
const SECRET = 'q7Rk2Lm9Xz4Vb8Nc1Jt5Hw3Pd6Fg0Sa+Ye/UiOoE'; // 40 base64 characters: an AWS secret key's shape
const TERM = 'Project Bluebird';
const bodies = () =>
  fs
    .readdirSync(path.join(FIXTURES, 'otlp', RUN))
    .filter((f) => f.startsWith('otel-logs-'))
    .sort()
    .map((f) => loadOtlp(`${RUN}/${f}`));

const attr = (r: any, k: string) => r.attributes.find((a: any) => a.key === k);
const named = (r: any, n: string) => attr(r, 'event.name')?.value.stringValue === n;

// The capture with the secret (and the term) in the guardian's rationale, and an unknown event
// carrying the secret in one attribute.
function seeded(): { body: any; rationale: string; threadId: string } {
  const body = bodies()[0];
  const recs = body.resourceLogs.flatMap((rl: any) => rl.scopeLogs.flatMap((sl: any) => sl.logRecords));
  const guardian = recs.find((r: any) => named(r, 'codex.guardian_assessment'));
  assert.ok(guardian, 'the capture holds a guardian assessment');
  const rationale = `${attr(guardian, 'rationale').value.stringValue} ${TERM} runs it with AWS_SECRET_ACCESS_KEY=${SECRET}`;
  attr(guardian, 'rationale').value.stringValue = rationale;
  const future = structuredClone(guardian);
  attr(future, 'event.name').value.stringValue = 'codex.future_event';
  future.attributes = future.attributes.filter((a: any) => a.key !== 'rationale');
  future.attributes.push({
    key: 'future.detail',
    value: { kvlistValue: { values: [{ key: 'env', value: { stringValue: `aws_secret_key: "${SECRET}"` } }] } },
  });
  future.observedTimeUnixNano = String(BigInt(guardian.observedTimeUnixNano ?? guardian.timeUnixNano) + 1n);
  body.resourceLogs[0].scopeLogs[0].logRecords.push(future);
  return { body, rationale, threadId: attr(guardian, 'conversation.id').value.stringValue };
}

for (const dialect of DIALECTS) {
  describe(`DLP over Codex event attributes and unknown line types (${dialect})`, () => {
    let t: TestApp;
    let key = '';
    let read = '';
    before(async () => {
      t = await makeApp(dialect);
      await t.user('dev@example.com');
      key = await t.key(['ingest.write'], 'dev@example.com');
      read = await t.key(['codex.enterprise.compliance.read']);
      const manage = await t.key(['codex.enterprise.compliance.delete']);
      const r = await t.app.inject({
        method: 'PUT',
        url: `/v1/compliance/workspaces/${t.workspaceId}/policy`,
        payload: JSON.stringify({ dlp_terms: [TERM] }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${manage}` },
      });
      assert.equal(r.statusCode, 200, r.body);
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
    const search = async (type: string) => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/v1/compliance/workspaces/${t.workspaceId}/search?event_type=${type}&limit=1000`,
        headers: { authorization: `Bearer ${read}` },
      });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().data as { content: Record<string, any> }[];
    };
    // Everything the archive holds of Codex's traffic, as stored (AUDIT_LOG has the policy's terms).
    const archived = async () => {
      const rows = await t.store.db
        .selectFrom('compliance_content as c')
        .innerJoin('compliance_records as r', (j) =>
          j.onRef('c.workspace_id', '=', 'r.workspace_id').onRef('c.seq', '=', 'r.seq'),
        )
        .select('c.content')
        .where('r.event_type', '!=', 'AUDIT_LOG')
        .execute();
      return rows.map((r) => String(r.content)).join('\n');
    };

    it('a secret in a guardian rationale or an unknown event is redacted and reported', async () => {
      const { body, rationale, threadId } = seeded();
      await post('/v1/logs', body);
      const sec = await search('CODEX_SECURITY_LOG');
      const assessment = sec.find((x) => x.content.kind === 'guardian_assessment')!;
      const cut = rationale.indexOf(TERM);
      assert.equal(
        assessment.content.attributes.rationale,
        `${rationale.slice(0, cut)}[REDACTED:workspace_term] runs it with AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_access_key]`,
      );
      assert.deepEqual(assessment.content.attributes_info, {
        length: assessment.content.attributes_info.length,
        policy: 'store',
        redactions: 2,
      });
      const unknown = (await search('CODEX_LOG')).find((x) => x.content.event_name === 'codex.future_event')!;
      assert.deepEqual(unknown.content.attributes['future.detail'], {
        env: 'aws_secret_key: "[REDACTED:aws_secret_access_key]"',
      });
      const findings = sec.filter((x) => x.content.kind === 'dlp');
      assert.deepEqual(
        findings
          .map((f) => [f.content.thread_id, f.content.rule_id, f.content.location.field, f.content.location.path])
          .sort(),
        [
          [threadId, 'aws_secret_access_key', 'event_attributes', 'future.detail.env'],
          [threadId, 'aws_secret_access_key', 'event_attributes', 'rationale'],
          [threadId, 'workspace_term', 'event_attributes', 'rationale'],
        ],
      );
      assert.ok(!(await archived()).includes(SECRET), 'the secret is nowhere in the archive');
      assert.ok(!(await archived()).includes(TERM), 'nor the term');
    });

    it("a secret in a session file's line of an unknown type is redacted in its item", async () => {
      const dir = path.join(FIXTURES, 'rollouts', '0.171', 'events', 'guardian');
      const file = path.join(dir, fs.readdirSync(dir).sort()[0]!);
      const lines = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const first = JSON.parse(lines[0]!);
      lines.push(
        JSON.stringify({
          timestamp: first.timestamp,
          type: 'telepathy',
          payload: { note: `export AWS_SECRET_ACCESS_KEY=${SECRET}`, nested: [{ who: TERM }] },
        }),
      );
      const wire = lines.map((l) => ({ n: Buffer.byteLength(l), t: l }));
      const r = await post('/v1/ingest/rollouts', {
        host: 'dev-host',
        files: [
          { path: `/home/dev/.codex/sessions/${path.basename(file)}`, offset: 0, line: 0, lines: wire, final: true },
        ],
      });
      assert.equal(r.json().files[0].unknown, 1);
      const item = (await sessionItems(t.store.db))
        .map((x) => x.content)
        .find((c) => c.item_kind === 'other' && c.item.type === 'telepathy')!;
      assert.deepEqual(item.item.raw, {
        note: 'export AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_access_key]',
        nested: [{ who: '[REDACTED:workspace_term]' }],
      });
      assert.equal(item.text_info.raw.redactions, 2);
      assert.ok(!(await archived()).includes(SECRET));
    });
  });
}
