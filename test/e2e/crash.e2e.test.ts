// The short crash run in CI (the long one: scripts/crash.ts): a few SIGKILLs during ingest from three
// retrying senders, on each database; the API equals what was acknowledged and verify passes.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { crashRun } from './support/crash.js';
import { DIALECTS } from './support/steward.js';

for (const dialect of DIALECTS)
  it(`SIGKILL during ingest loses and doubles nothing (${dialect})`, async () => {
    const r = await crashRun({ dialect, kills: 4, senders: 3, batches: 40, seed: 15 });
    assert.ok(r.kills >= 1, `no kill landed before the senders finished (${r.kills})`);
    assert.deepEqual(r.got, r.expected);
    assert.equal(r.verify.code, 0, r.verify.stdout + r.verify.stderr);
  });
