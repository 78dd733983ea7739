// Two nodes on one PostgreSQL database (two stores on the same schema, each with its reaction
// poller, as two `steward serve` would run them): every due comment is polled once, by whichever
// node holds the poller's advisory lock (decisions/0039), not once per node.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startReactionPoller } from '../../src/code-review/github/reaction-poller.service.js';
import { openStore, type Store } from '../../src/platform/storage/database.js';
import { makeApp, type TestApp } from '../support/app.js';
import {
  BOT,
  SECRET,
  badge,
  deliver,
  reviewCommentPayload,
  startFakeGithub,
  type FakeGithub,
} from '../support/github.js';
import { DIALECTS } from '../support/stores.js';

const skip = !DIALECTS.includes('postgres') && 'PostgreSQL is not among STEWARD_TEST_DIALECTS';
const IDS = [601, 602, 603, 604, 605, 606, 607, 608];
let t: TestApp;
let gh: FakeGithub;
let other: Store;

before(async () => {
  if (skip) return;
  gh = await startFakeGithub();
  const github = {
    webhook_secret: SECRET,
    token: 'ghp_test_token',
    api_base_url: gh.url,
    poll_interval_seconds: 300,
  };
  t = await makeApp('postgres', { github });
  other = openStore(t.store.reopen);
  const at = Date.now();
  for (const id of IDS) {
    const payload = reviewCommentPayload({ id, login: BOT, body: badge(1), at, repo: 'octo-org/api', reviewId: 90 });
    const r = await deliver(t, 'pull_request_review_comment', payload);
    assert.equal(r.statusCode, 200, r.body);
    gh.reactions.set(`pulls/${id}`, [{ id, content: '+1', login: 'alice-gh' }]);
  }
});

after(async () => {
  if (skip) return;
  await other?.close();
  await t?.close();
  await gh?.close();
});

it('two nodes poll each due comment once between them', { skip }, async () => {
  gh.log.length = 0;
  const nodes = [t.store.db, other.db].map((db) => startReactionPoller(db, t.config.github, { perPage: 100 }));
  const polled = (id: number) => gh.log.filter((l) => l.path.includes(`/pulls/comments/${id}/reactions`)).length;
  try {
    for (let i = 0; i < 200 && !IDS.every((id) => polled(id) > 0); i++) await new Promise((r) => setTimeout(r, 25));
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
  assert.deepEqual(
    IDS.map(polled),
    IDS.map(() => 1),
  );
});
