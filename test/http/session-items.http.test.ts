// Session-file content in the compliance archive, on both databases (decisions/0023): after a real
// Codex 0.169 session file is pushed, every content record the parser emits is a CODEX_LOG
// `session_item` record that search (by a word of an assistant message), the log-file downloads
// and `steward compliance export` return; verify passes; pushing the file again appends nothing;
// the workspace's DLP redaction applies; retention removes the items' content unless a hold
// covers them, as for every other record.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { collectRollout } from '../../src/session-files/adapter/parser.js';
import { readLineBatches, toWireLine, type WireLine } from '../../src/session-files/adapter/lines.js';
import { makeApp, type TestApp } from '../support/app.js';
import { runCli, storeArgs } from '../support/cli.js';
import { downloadAll, sessionItems } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts');
const EXEC = path.join(FIX, '0.169/exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl');
const THREAD = '01a200dc-5835-7763-b92a-e0134f63f937';
const SECRET = 'AKIAIOSFODNN7EXAMPLE';

// The file as the client sends it, with a secret planted in the first assistant message.
async function wire(file: string, secret: string): Promise<{ lines: WireLine[]; size: number; planted: string }> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  let planted = '';
  const i = lines.findIndex((l) => {
    const j = JSON.parse(l);
    return j.type === 'response_item' && j.payload?.type === 'message' && j.payload.role === 'assistant';
  });
  const j = JSON.parse(lines[i]!);
  planted = `${j.payload.content[0].text} key ${secret}`;
  j.payload.content[0].text = planted;
  lines[i] = JSON.stringify(j);
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-items-')), path.basename(file));
  fs.writeFileSync(tmp, lines.join('\n') + '\n');
  const out: WireLine[] = [];
  for await (const b of readLineBatches(tmp, 0, 0, 1 << 30)) for (const r of b.lines) out.push(toWireLine(r));
  return { lines: out, size: fs.statSync(tmp).size, planted: tmp + '\u0000' + planted };
}

// A word of an assistant message, read from the file itself (not through the parser).
function assistantWords(text: string): string[] {
  const words: string[] = [];
  for (const l of text.split('\n').filter(Boolean)) {
    const j = JSON.parse(l);
    if (j.type === 'response_item' && j.payload?.type === 'message' && j.payload.role === 'assistant')
      for (const c of j.payload.content)
        words.push(
          ...String(c.text)
            .split(/\W+/)
            .filter((w) => w.length >= 6),
        );
  }
  return words;
}

for (const dialect of DIALECTS) {
  describe(`session-file content in the archive (${dialect})`, () => {
    let t: TestApp;
    let ingest: string;
    let manage: string;
    let file: { lines: WireLine[]; size: number; path: string; planted: string };
    let want: Awaited<ReturnType<typeof collectRollout>>;
    const base = () => `/v1/compliance/workspaces/${t.workspaceId}`;
    const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
        payload: body === undefined ? undefined : JSON.stringify(body),
      });
    const push = (extra: Record<string, unknown> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/ingest/rollouts',
        headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          host: 'laptop',
          installation_id: 'inst-1',
          files: [
            {
              path: '/home/dev/.codex/sessions/' + path.basename(EXEC),
              offset: 0,
              line: 0,
              lines: file.lines,
              final: true,
              size: file.size,
              ...extra,
            },
          ],
        }),
      });

    before(async () => {
      // Items are from 2026-11-22: 1 day of CODEX_LOG retention puts them past it.
      t = await makeApp(dialect, { compliance: { retention: { codex_log_days: 1 } } });
      await t.user('dev@example.com');
      ingest = await t.key(['ingest.write'], 'dev@example.com');
      manage = await t.key(['codex.enterprise.compliance.read', 'codex.enterprise.compliance.delete']);
      const w = await wire(EXEC, SECRET);
      const [p, planted] = w.planted.split('\u0000');
      file = { lines: w.lines, size: w.size, path: p!, planted: planted! };
      want = await collectRollout(file.path, { final: true });
    });
    after(async () => {
      await t.close();
      fs.rmSync(path.dirname(file.path), { recursive: true, force: true });
    });

    it('every content record is a session_item record: search, logs and export return it', async () => {
      const r = await push();
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().stored.content, want.content.length);
      const items = await sessionItems(t.store.db, t.workspaceId);
      assert.equal(items.length, want.content.length);
      assert.deepEqual(
        items.map((i) => i.content.item_kind),
        want.content.map((c) => c.kind),
        'in file order',
      );
      assert.ok(items.every((i) => i.content.thread_id === THREAD && i.content.origin !== 'local'));

      const word = assistantWords(await readFile(EXEC, 'utf8'))[0]!;
      const s = await call('GET', `${base()}/search?q=${encodeURIComponent(word)}&event_type=CODEX_LOG&limit=100`);
      assert.equal(s.statusCode, 200, s.body);
      const hits = s.json().data.filter((d: any) => d.content?.kind === 'session_item');
      assert.ok(
        hits.some(
          (h: any) => h.content.item_kind === 'assistant_message' && String(h.content.item.text).includes(word),
        ),
        `search for ${word} finds the assistant message: ${s.body.slice(0, 400)}`,
      );

      const logs = (await downloadAll(t.app, t.workspaceId, manage, 'CODEX_LOG')).filter(
        (l) => l.content?.kind === 'session_item',
      );
      assert.equal(logs.length, want.content.length);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-items-export-'));
      try {
        const out = path.join(dir, 'codex.jsonl.gz');
        const ex = await runCli(
          ['compliance', 'export', '--out', out, '--type', 'CODEX_LOG', '--json', ...storeArgs(t.store)],
          dir,
        );
        assert.equal(ex.code, 0, ex.stderr + ex.stdout);
        const lines = zlib
          .gunzipSync(fs.readFileSync(out))
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        const exported = lines.filter((l) => l.content?.kind === 'session_item');
        assert.equal(exported.length, want.content.length);
        assert.ok(exported.some((l) => String(l.content.item.text ?? '').includes(word)));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const v = (await call('GET', `${base()}/verify`)).json();
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
    });

    it("the workspace's DLP redaction applies to the items", async () => {
      const planted = (await sessionItems(t.store.db, t.workspaceId)).find(
        (i) => i.content.item_kind === 'assistant_message' && String(i.content.item.text).includes(' key '),
      );
      assert.ok(planted, 'the planted message is archived');
      assert.ok(!JSON.stringify(planted.content).includes(SECRET), 'the key is not stored');
      assert.equal(planted.content.text_info.text.length, file.planted.length);
      assert.equal(planted.content.text_info.text.redactions, 1);
    });

    it('pushing the same file again (reset: from its start) appends nothing', async () => {
      const before = await sessionItems(t.store.db, t.workspaceId);
      assert.equal(before.length, want.content.length);
      const r = await push({ reset: true });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().stored.content, 0);
      assert.deepEqual(await sessionItems(t.store.db, t.workspaceId), before);
    });

    it('retention removes item content except where a hold covers it; verify still passes', async () => {
      const hold = await call('POST', `${base()}/holds`, { thread_id: THREAD });
      assert.equal(hold.statusCode, 201, hold.body);
      const codex = await downloadAll(t.app, t.workspaceId, manage, 'CODEX_LOG');
      const run = await call('POST', `${base()}/retention/run`);
      assert.equal(run.statusCode, 200, run.body);
      assert.equal(run.json().purged.CODEX_LOG, 0, 'everything is of the held thread');
      const held = await sessionItems(t.store.db, t.workspaceId);
      assert.equal(held.length, want.content.length, 'the hold keeps every item');
      assert.equal((await call('POST', `${base()}/holds/${hold.json().id}/release`)).statusCode, 200);
      const run2 = await call('POST', `${base()}/retention/run`);
      assert.equal(run2.json().purged.CODEX_LOG, codex.length);
      const after = (await downloadAll(t.app, t.workspaceId, manage, 'CODEX_LOG')).filter(
        (l) => l.thread_id === THREAD,
      );
      assert.equal(after.length, codex.length);
      assert.ok(after.every((l) => l.content === null && l.content_removed === 'retention'));
      assert.equal((await sessionItems(t.store.db, t.workspaceId)).length, 0, 'no item keeps its content');
      const v = (await call('GET', `${base()}/verify`)).json();
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      assert.equal(v.content_removed_by_retention, codex.length);
    });
  });
}
