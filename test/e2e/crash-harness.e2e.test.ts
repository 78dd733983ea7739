// The crash harness can fail: behind a front that acknowledges before the server has stored a
// batch, or one that stores every batch twice, the same run and verdict (crashProblems) that pass
// on the real server (crash.e2e.test.ts) report lost or doubled tokens and archive records.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { crashProblems, crashRun } from './support/crash.js';
import { DIALECTS } from './support/steward.js';

// The faults sit in an HTTP front, before either database, so one dialect shows the verdict can fail
// (crash.e2e.test.ts runs the real server on both).
for (const dialect of DIALECTS.slice(0, 1)) {
  it(`fails on a server that acknowledges before it commits (${dialect})`, async () => {
    // Acknowledged at once, the senders outrun the kills; the forwards refused while the server
    // restarts (or while its batch slots are full) are lost as surely.
    const r = await crashRun({ dialect, kills: 4, senders: 3, batches: 200, seed: 16, fault: 'ack-before-commit' });
    const problems = crashProblems(r);
    assert.ok(
      r.got.input < r.expected.input,
      `nothing lost: ${JSON.stringify(r.got)} vs ${JSON.stringify(r.expected)}`,
    );
    assert.ok(
      problems.some((p) => /^input tokens/.test(p)) && problems.some((p) => /of 3 records/.test(p)),
      problems.join('\n'),
    );
  });

  it(`fails on a server that counts a batch twice (${dialect})`, async () => {
    const r = await crashRun({ dialect, kills: 0, senders: 1, batches: 5, seed: 17, fault: 'double-count' });
    // No kills: the run stops the senders at once, after the batches already sent.
    assert.ok(r.batches >= 1, `${r.batches} batches`);
    assert.equal(r.got.input, 2 * r.expected.input);
    assert.ok(
      crashProblems(r).some((p) => /6 of 3 records/.test(p)),
      crashProblems(r).join('\n'),
    );
  });
}
