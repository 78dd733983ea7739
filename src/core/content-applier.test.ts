// ContentApplier: the same result as applyContentPolicy, each text scanned once per field while it
// fits the bound, and usable for a policy equal by value (ingest reads the policy again per batch).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContentApplier, DEFAULT_CONTENT_POLICY, applyContentPolicy } from './content-policy.js';

const SECRET = 'export AWS_SECRET_ACCESS_KEY=q7Rk2Lm9Xz4Vb8Nc1Jt5Hw3Pd6Fg0Sa+Ye/UiOoE';
const policy = { ...DEFAULT_CONTENT_POLICY, prompt: 'hash' as const, dlp_terms: ['bluebird'] };

describe('ContentApplier', () => {
  it('gives what applyContentPolicy gives, per field, and remembers it', () => {
    const a = new ContentApplier(policy);
    for (const field of ['prompt', 'tool_output'] as const) {
      const first = a.apply(`${SECRET} for Bluebird`, field);
      assert.deepEqual(first, applyContentPolicy(`${SECRET} for Bluebird`, field, policy));
      assert.equal(a.apply(`${SECRET} for Bluebird`, field), first, 'the second call is the first result');
    }
    assert.notEqual(a.apply(SECRET, 'prompt').mode, a.apply(SECRET, 'tool_output').mode);
  });

  it('keeps no more characters than its bound, and forgets on clear', () => {
    const a = new ContentApplier(policy, SECRET.length);
    const kept = a.apply(SECRET, 'response');
    assert.equal(a.apply(SECRET, 'response'), kept);
    const over = a.apply(`${SECRET}!`, 'response');
    assert.notEqual(a.apply(`${SECRET}!`, 'response'), over, 'past the bound: applied again, not kept');
    a.clear();
    assert.notEqual(a.apply(SECRET, 'response'), kept);
  });

  it('stands in for an equal policy only', () => {
    const a = new ContentApplier(policy);
    assert.equal(a.appliesTo({ ...policy }), true);
    assert.equal(a.appliesTo({ ...policy, dlp_terms: [] }), false);
  });
});
