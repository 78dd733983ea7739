// `steward compliance …` as an operator runs it, on both databases: verify (store, exported file,
// signed checkpoint) with exit code 5 naming the first bad record, export as gzip JSONL, holds,
// release and retention runs, each audited as the CLI user.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';
import { runCli, storeArgs } from '../support/cli.js';
import { appendN, chainRows, tamper } from '../support/compliance.js';
import { synthPayload } from '../support/otlp.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`steward compliance CLI (${dialect})`, () => {
    let t: TestApp;
    let dir: string;
    const cli = (...args: string[]) => runCli(['compliance', ...args, ...storeArgs(t.store)], dir);
    const json = async (...args: string[]) => {
      const r = await cli(...args, '--json');
      assert.equal(r.code, 0, r.stderr + r.stdout);
      return JSON.parse(r.stdout);
    };

    before(async () => {
      t = await makeApp(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-cli-'));
      await t.user('dev@example.com');
      const key = await t.key(['ingest.write'], 'dev@example.com');
      const now = Date.now();
      const payload = synthPayload([
        { conv: 'cli-1', ts: now - 5000, kind: 'prompt' },
        { conv: 'cli-1', ts: now - 4000, kind: 'response', input: 10, output: 3 },
        { conv: 'cli-2', ts: now - 3000, kind: 'prompt' },
      ]);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      });
      assert.equal(r.statusCode, 200);
    });
    after(async () => {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('exports gzip JSONL, verifies the export offline, and names a tampered line', async () => {
      const gz = path.join(dir, 'codex.jsonl.gz');
      const ex = await json('export', '--out', gz, '--type', 'CODEX_LOG');
      assert.equal(ex.records, 3);
      const lines = zlib
        .gunzipSync(fs.readFileSync(gz))
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.event_type, l.content.kind]),
        [
          ['CODEX_LOG', 'prompt'],
          ['CODEX_LOG', 'response'],
          ['CODEX_LOG', 'prompt'],
        ],
      );

      const all = path.join(dir, 'all.jsonl');
      await json('export', '--out', all);
      const ok = await json('verify', '--file', all);
      assert.equal(ok.ok, true);
      assert.equal(ok.records, (await chainRows(t.store.db, t.workspaceId)).length); // the export includes its own AUDIT_LOG record
      const text = fs.readFileSync(all, 'utf8').split('\n');
      const at = text.findIndex((l) => l.includes('do the thing'));
      text[at] = text[at].replace('do the thing', 'do the thinG');
      fs.writeFileSync(all, text.join('\n'));
      const bad = await cli('verify', '--file', all);
      assert.equal(bad.code, 5);
      assert.match(
        bad.stdout,
        new RegExp(`first bad record: seq ${at + 1} \\(id ${JSON.parse(text[at]).id}\\): content_altered`),
      );
    });

    it('places, lists and releases holds, runs retention, and audits each as the CLI user', async () => {
      const hold = await json('hold', '--user', 'dev@example.com', '--reason', 'matter 7');
      assert.equal(hold.active, true);
      assert.deepEqual(
        (await json('holds', '--active')).map((h: { id: string }) => h.id),
        [hold.id],
      );
      const released = await json('release', hold.id);
      assert.equal(released.active, false);
      const again = await cli('release', hold.id);
      assert.equal(again.code, 4);
      const run = await json('retention', 'run');
      assert.deepEqual(run.purged, { CODEX_LOG: 0, CODEX_SECURITY_LOG: 0, AUDIT_LOG: 0, AUTH_LOG: 0 });
      const noHold = await cli('hold', '--reason', 'nothing');
      assert.equal(noHold.code, 2);
      assert.match(noHold.stderr, /--user, --thread, or a time range \(--from and\/or --to\)/);
      const backwards = await cli('hold', '--from', '2026-02-01', '--to', '2026-01-01');
      assert.equal(backwards.code, 2);
      assert.match(backwards.stderr, /--to: must be after --from/);
      assert.doesNotMatch(backwards.stderr + noHold.stderr, /start_time|end_time/);
      const badTime = await cli('hold', '--from', 'yesterday-ish');
      assert.equal(badTime.code, 2);
      assert.match(badTime.stderr, /--from:/);
      const role = await runCli(
        ['users', 'set-role', 'dev@example.com', 'security_owner', '--json', ...storeArgs(t.store)],
        dir,
      );
      assert.equal(JSON.parse(role.stdout).role, 'security_owner');
      const contents = await t.store.db.selectFrom('compliance_content').select('content').orderBy('seq').execute();
      const audits = contents.map((c) => JSON.parse(c.content)).filter((c) => c.action);
      assert.deepEqual(
        [
          audits.find((x) => x.action === 'user.role_changed')?.before,
          audits.find((x) => x.action === 'user.role_changed')?.after,
        ],
        [{ role: 'member' }, { role: 'security_owner' }],
      );
      for (const action of [
        'compliance.exported',
        'hold.placed',
        'hold.released',
        'retention.run',
        'retention.completed',
        'user.role_changed',
      ]) {
        const a = audits.find((x) => x.action === action);
        assert.ok(a, action);
        assert.equal(a.actor.type, 'cli');
      }
    });

    it('verify --file --checkpoint enforces --public-key: an export with a checkpoint its rewriter signed exits 5', async () => {
      const gen = async () => JSON.parse((await runCli(['compliance', 'keygen', '--json'], dir)).stdout);
      const ours = await gen();
      const theirs = await gen();
      const file = path.join(dir, 'rewritten.jsonl');
      await json('export', '--out', file);
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      const last = JSON.parse(lines[lines.length - 1]);
      // The rewriter signs the export's last record with a key of their own.
      const { loadSigningKey, signCheckpoint } = await import('../../src/compliance/verify/checkpoint.service.js');
      const cp = signCheckpoint(
        { workspace_id: last.workspace_id, seq: last.seq, hash: last.hash, recorded_at: last.recorded_at },
        loadSigningKey({ signing_key: theirs.private_key_pem })!,
      );
      const cpFile = path.join(dir, 'their-cp.json');
      fs.writeFileSync(cpFile, JSON.stringify(cp));
      const refused = await cli('verify', '--file', file, '--checkpoint', cpFile, '--public-key', ours.public_key);
      assert.equal(refused.code, 5, refused.stdout + refused.stderr);
      assert.match(refused.stdout, /CHECKPOINT DOES NOT MATCH/);
      const accepted = await cli('verify', '--file', file, '--checkpoint', cpFile, '--public-key', theirs.public_key);
      assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
    });

    it('after a rotation verify trusts old and new key (--public-key twice, public_keys), naming signers', async () => {
      const gen = async () => JSON.parse((await runCli(['compliance', 'keygen', '--json'], dir)).stdout);
      const [old, now] = [await gen(), await gen()];
      const ws = 'ws-rotation';
      const toml = (signing: { private_key_pem: string }, extra = '') => {
        const pem = signing.private_key_pem.trim();
        fs.writeFileSync(path.join(dir, 'steward.toml'), `[compliance]\n${extra}signing_key = """\n${pem}\n"""\n`);
      };
      for (const key of [old, now]) {
        await appendN(t.store.db, ws, 3);
        toml(key);
        await json('checkpoint', '--workspace', ws);
      }
      const trustBoth = ['--public-key', old.public_key, '--public-key', now.public_key];
      const both = await json('verify', '--workspace', ws, ...trustBoth);
      assert.equal(both.ok, true, JSON.stringify(both.first_bad));
      assert.deepEqual(both.checkpoint_keys, [
        { key_id: now.key_id, trusted: true, checkpoints: 1, seqs: [6] },
        { key_id: old.key_id, trusted: true, checkpoints: 1, seqs: [3] },
      ]);
      const text = await cli('verify', '--workspace', ws, '--public-key', `${old.public_key},${now.public_key}`);
      assert.equal(text.code, 0, text.stdout + text.stderr);
      assert.match(text.stdout, new RegExp(`checkpoints signed by key ${old.key_id} \\(trusted\\): 1 \\(seq 3\\)`));
      // Only the new key (given, or the signing key's by default): the old key's checkpoint is untrusted.
      for (const args of [['--public-key', now.public_key], []]) {
        const newOnly = await cli('verify', '--workspace', ws, ...args);
        assert.equal(newOnly.code, 5, newOnly.stdout + newOnly.stderr);
        assert.match(newOnly.stdout, new RegExp(`seq 3: checkpoint_untrusted: .*signed by key ${old.key_id}`));
        assert.match(newOnly.stdout, new RegExp(`key ${old.key_id} \\(NOT TRUSTED\\)`));
      }
      // In steward.toml: public_keys next to the (new) signing key.
      toml(now, `public_keys = ["${old.public_key}", "${now.public_key}"]\n`);
      assert.equal((await json('verify', '--workspace', ws)).ok, true);
    });

    it('verify --workspace with an id that does not exist is not found (exit 4), not "OK: 0 records verified"', async () => {
      const r = await cli('verify', '--workspace', `${t.workspaceId}-typo`);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /OK/);
      assert.match(r.stderr, new RegExp(`workspace ${t.workspaceId}-typo does not exist`));
    });

    it('signs a checkpoint with the configured key and fails verification (exit 5) once the store is altered', async () => {
      const key = await runCli(['compliance', 'keygen', '--json'], dir);
      const { private_key_pem, public_key } = JSON.parse(key.stdout);
      fs.writeFileSync(
        path.join(dir, 'steward.toml'),
        `[compliance]\nsigning_key = """\n${private_key_pem.trim()}\n"""\n`,
      );
      const cpFile = path.join(dir, 'cp.json');
      const cp = await json('checkpoint', '--out', cpFile);
      assert.equal(cp.public_key, public_key);
      const ok = await json('verify', '--checkpoint', cpFile, '--public-key', public_key);
      assert.equal(ok.ok, true);
      assert.ok(ok.checkpoints_checked >= 1);
      await tamper.contentByte(t.store.db, t.workspaceId, 2);
      const bad = await cli('verify');
      assert.equal(bad.code, 5);
      assert.match(bad.stdout, /FAILED: .*first bad record: seq 2 .*content_altered/);
    });
  });
}
