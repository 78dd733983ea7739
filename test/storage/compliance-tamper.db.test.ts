// Issue 11 items 5 and 6: tampering that touches no hash, done as an attacker with database access
// would (raw SQL on the real database, both dialects), and verify naming it: a forged retention
// explanation with deleted content, a record stored past the head (and not served by search),
// checkpoints signed by a key of the attacker's own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import {
  checkpointNow,
  ensureSigningKey,
  generateSigningKey,
  loadSigningKey,
  signCheckpoint,
  trustedPublicKeys,
} from '../../src/compliance/verify/checkpoint.service.js';
import { retentionDaysOf, runRetention } from '../../src/compliance/retention/retention.service.js';
import { runSearch } from '../../src/compliance/reads/search.service.js';
import { verifyChain } from '../../src/compliance/verify/verify.service.js';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { recordHash, sha256hex } from '../../src/core/compliance.js';
import { appendN, chainRows, tamper } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const days = retentionDaysOf({ codex_log_days: 30, codex_security_log_days: 0, audit_log_days: 0, auth_log_days: 0 });

for (const dialect of DIALECTS) {
  describe(`tampering that touches no hash (${dialect})`, () => {
    let s: TestStore;
    let n = 0;
    const fresh = () => `ws-t${++n}`;
    before(async () => {
      s = await makeStore(dialect);
    });
    after(() => s.cleanup());

    it('retention removals are chained records; a forged compliance_purges row does not explain deleted content', async () => {
      const ws = fresh();
      await appendN(s.db, ws, 6, { ts: Date.now() - 40 * DAY }, 3);
      await appendN(s.db, ws, 3, {}, 3);
      const run = await runRetention(s.db, ws, days, SYSTEM);
      assert.equal(run.purged.CODEX_LOG, 6);
      const ok = await verifyChain(s.db, ws);
      assert.equal(ok.ok, true, JSON.stringify(ok.first_bad));
      assert.equal(ok.content_removed_by_retention, 6);
      const removal = (
        await s.db.selectFrom('compliance_content').select('content').where('workspace_id', '=', ws).execute()
      )
        .map((c) => JSON.parse(c.content))
        .find((c) => c.action === 'retention.removed');
      assert.deepEqual(
        [removal.after.event_type, removal.after.retention_days, removal.after.removed, removal.after.seqs],
        ['CODEX_LOG', 30, 6, [[1, 6]]],
      );

      // The attacker: a purge row with a cutoff in the future, and a recent record's content deleted.
      await sql`insert into compliance_purges (run_id, workspace_id, event_type, cutoff_ts, ran_at, purged) values ('forged', ${ws}, 'CODEX_LOG', ${Date.now() + DAY}, ${Date.now()}, 1)`.execute(
        s.db,
      );
      await tamper.deleteContent(s.db, ws, 8);
      const bad = await verifyChain(s.db, ws);
      assert.equal(bad.ok, false);
      assert.deepEqual([bad.first_bad?.seq, bad.first_bad?.reason], [8, 'content_removed_outside_retention']);
    });

    it('a record stored past the head fails verify and is not served by search', async () => {
      const ws = fresh();
      await appendN(s.db, ws, 4, {}, 4);
      const rows = await chainRows(s.db, ws);
      const last = rows[rows.length - 1];
      const content = JSON.stringify({ kind: 'prompt', prompt: { text: 'forged beyond the head' } });
      const rec = {
        workspace_id: ws,
        seq: 5,
        id: 'forged-5',
        event_type: 'CODEX_LOG',
        ts: Number(last.ts),
        recorded_at: Number(last.recorded_at),
        user_id: 'u1',
        thread_id: 't0',
        content_sha256: sha256hex(content),
      };
      const hash = recordHash(last.hash, rec);
      await sql`insert into compliance_records (workspace_id, seq, id, event_type, ts, recorded_at, user_id, thread_id, content_sha256, prev_hash, hash)
        values (${ws}, 5, 'forged-5', 'CODEX_LOG', ${rec.ts}, ${rec.recorded_at}, 'u1', 't0', ${rec.content_sha256}, ${last.hash}, ${hash})`.execute(
        s.db,
      );
      // PostgreSQL's content partitions need the record's type and time in the row (0040).
      const key = dialect === 'postgres' ? { event_type: 'CODEX_LOG', ts: rec.ts } : {};
      await s.db
        .insertInto('compliance_content')
        .values({ workspace_id: ws, seq: 5, content, ...key })
        .execute();
      const r = await verifyChain(s.db, ws);
      assert.equal(r.ok, false);
      assert.deepEqual([r.first_bad?.seq, r.first_bad?.reason], [5, 'records_beyond_head']);
      const page = JSON.parse(await runSearch(s.db, ws, { filter: { order: 'asc', text: 'forged' }, limit: 10 }));
      assert.deepEqual(page.data, []);
    });

    it('verify trusts only the configured public key: an attacker-signed stored checkpoint is reported', async () => {
      const ws = fresh();
      await appendN(s.db, ws, 5, {}, 5);
      const mine = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      await checkpointNow(s.db, ws, mine, true);
      assert.equal((await verifyChain(s.db, ws, { publicKeys: [mine.publicKey] })).ok, true);
      // The attacker signs the head with a key of their own and stores it.
      const theirs = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      const head = await s.db
        .selectFrom('compliance_heads')
        .selectAll()
        .where('workspace_id', '=', ws)
        .executeTakeFirstOrThrow();
      const cp = signCheckpoint(
        { workspace_id: ws, seq: Number(head.seq), hash: head.hash, recorded_at: Number(head.recorded_at) },
        theirs,
      );
      await sql`insert into compliance_checkpoints (workspace_id, seq, hash, recorded_at, signed_at, key_id, body) values (${ws}, ${cp.seq}, ${cp.hash}, ${cp.recorded_at}, ${Date.parse(cp.signed_at)}, ${cp.key_id}, ${JSON.stringify(cp)})`.execute(
        s.db,
      );
      const r = await verifyChain(s.db, ws, { publicKeys: [mine.publicKey] });
      assert.equal(r.ok, false);
      assert.equal(r.first_bad?.reason, 'checkpoint_untrusted');
      assert.match(r.first_bad!.detail, new RegExp(`signed by key ${theirs.keyId}`));
    });

    it('after a key rotation both keys are trusted: a checkpoint counts when any trusted key signed it', async () => {
      const ws = fresh();
      const old = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      const now = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      for (const key of [old, old, now, now]) {
        await appendN(s.db, ws, 2, {}, 2);
        await checkpointNow(s.db, ws, key, true);
      }
      const both = await verifyChain(s.db, ws, { publicKeys: [now.publicKey, old.publicKey] });
      assert.equal(both.ok, true, JSON.stringify(both.first_bad));
      assert.equal(both.checkpoints_checked, 4);
      const signers = [...both.checkpoint_keys].sort((a, b) => a.seqs[0] - b.seqs[0]);
      assert.deepEqual(signers, [
        { key_id: old.keyId, trusted: true, checkpoints: 2, seqs: [2, 4] },
        { key_id: now.keyId, trusted: true, checkpoints: 2, seqs: [6, 8] },
      ]);
      assert.equal(both.newest_checkpoint?.key_id, now.keyId);
      // Only the new key trusted: the old key's checkpoints are reported, by key.
      const newOnly = await verifyChain(s.db, ws, { publicKeys: [now.publicKey] });
      const first = newOnly.first_bad;
      assert.deepEqual([newOnly.ok, newOnly.problems, first?.seq], [false, 2, 2]);
      assert.equal(first?.reason, 'checkpoint_untrusted');
      assert.match(first!.detail, new RegExp(`signed by key ${old.keyId}, not a trusted key \\(${now.keyId}\\)`));
      assert.deepEqual(newOnly.checkpoint_keys.find((k) => k.key_id === old.keyId)?.trusted, false);
      // A deletion among the old key's checkpoints is still noticed with both trusted (4 names 2).
      await sql`delete from compliance_checkpoints where workspace_id = ${ws} and seq = 2`.execute(s.db);
      const missing = await verifyChain(s.db, ws, { publicKeys: [now.publicKey, old.publicKey] });
      const gone = missing.first_bad;
      assert.deepEqual([missing.ok, gone?.seq, gone?.reason], [false, 2, 'checkpoint_missing']);
    });

    it('a stored checkpoint deleted between two others is reported missing', async () => {
      const ws = fresh();
      const key = loadSigningKey({ signing_key: generateSigningKey().privateKeyPem })!;
      for (let i = 0; i < 3; i++) {
        await appendN(s.db, ws, 2, {}, 2);
        await checkpointNow(s.db, ws, key, true);
      }
      const ok = await verifyChain(s.db, ws, { publicKeys: [key.publicKey] });
      assert.equal(ok.ok, true, JSON.stringify(ok.first_bad));
      assert.equal(ok.newest_checkpoint?.seq, 6);
      await sql`delete from compliance_checkpoints where workspace_id = ${ws} and seq = 4`.execute(s.db);
      const r = await verifyChain(s.db, ws, { publicKeys: [key.publicKey] });
      assert.deepEqual([r.ok, r.first_bad?.seq, r.first_bad?.reason], [false, 4, 'checkpoint_missing']);
    });
  });
}

describe('the checkpoint signing key out of the box', () => {
  it('is made once in the data directory, mode 0600, and verify trusts its public key', () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-key-'));
    try {
      const config = { data, compliance: {} };
      assert.deepEqual(trustedPublicKeys(config), []);
      const k = ensureSigningKey(config);
      const file = path.join(data, 'checkpoint-ed25519.pem');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(path.join(data, 'checkpoint-ed25519.pub'), 'utf8').trim(), k.publicKey);
      assert.equal(ensureSigningKey(config).publicKey, k.publicKey);
      assert.deepEqual(trustedPublicKeys(config), [k.publicKey]);
      assert.deepEqual(trustedPublicKeys({ data, compliance: { public_key: 'given' } }), ['given']);
      // After a rotation: public_key and public_keys are trusted together; --public-key replaces both.
      const both = { data, compliance: { public_key: 'old', public_keys: ['new', 'old'] } };
      assert.deepEqual(trustedPublicKeys(both), ['old', 'new']);
      assert.deepEqual(trustedPublicKeys(both, ['flag']), ['flag']);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
