// The short crash run in CI (the long one: bench/crash.ts): a few SIGKILLs during ingest from three
// retrying OTLP senders and two session-file uploaders, on each database; the API equals what was
// acknowledged, the archive holds every acknowledged record once, and verify passes.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { crashRun } from './support/crash.js';
import { DIALECTS } from './support/steward.js';

for (const dialect of DIALECTS)
  it(`SIGKILL during ingest loses and doubles nothing (${dialect})`, async () => {
    const r = await crashRun({ dialect, kills: 4, senders: 3, uploaders: 2, batches: 40, seed: 15 });
    assert.ok(r.kills >= 1, `no kill landed before the senders finished (${r.kills})`);
    assert.ok(r.sessions >= 1 && r.batches >= 1, `nothing acknowledged (${r.batches}, ${r.sessions})`);
    assert.deepEqual(r.got, r.expected);
    assert.deepEqual(r.archive.doubled, []);
    assert.deepEqual(r.archive.missing, []);
    assert.deepEqual(r.uploadProblems, []);
    assert.equal(r.verify.code, 0, r.verify.stdout + r.verify.stderr);
  });
