// GET /v1/compliance/workspaces/{id}/verify after a signing-key rotation, on both databases: with
// [compliance] public_keys listing the old and the new key, checkpoints from both verify and each is
// reported under the key that signed it (only-the-new-key: test/storage/compliance-tamper.db.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkpointNow, generateSigningKey, loadSigningKey } from '../../src/compliance/verify/checkpoint.service.js';
import { makeApp } from '../support/app.js';
import { appendN } from '../support/compliance.js';
import { DIALECTS } from '../support/stores.js';

for (const dialect of DIALECTS) {
  describe(`verify across a key rotation (${dialect})`, () => {
    it('trusts every key in public_keys and names the signer of each checkpoint', async () => {
      const [oldPem, newPem] = [generateSigningKey().privateKeyPem, generateSigningKey().privateKeyPem];
      const [old, now] = [loadSigningKey({ signing_key: oldPem })!, loadSigningKey({ signing_key: newPem })!];
      const publicKeys = [old.publicKey, now.publicKey];
      const compliance = { signing_key: newPem, public_keys: publicKeys, checkpoint_interval_minutes: 0 };
      const t = await makeApp(dialect, { compliance });
      try {
        for (const key of [old, now]) {
          await appendN(t.store.db, t.workspaceId, 2);
          await checkpointNow(t.store.db, t.workspaceId, key, true);
        }
        const reader = await t.key(['codex.enterprise.compliance.read']);
        const url = `/v1/compliance/workspaces/${t.workspaceId}/verify`;
        const r = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${reader}` } });
        assert.equal(r.statusCode, 200, r.body);
        const report = r.json();
        assert.equal(report.ok, true, JSON.stringify(report.first_bad));
        type Signer = { key_id: string; trusted: boolean };
        const signers = Object.fromEntries(report.checkpoint_keys.map((k: Signer) => [k.key_id, k.trusted]));
        assert.deepEqual(signers, { [old.keyId]: true, [now.keyId]: true });
      } finally {
        await t.close();
      }
    });
  });
}
