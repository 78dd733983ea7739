// STEWARD_TEST_DIALECTS picks the databases the suite runs on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from './support/dialects.js';

describe('STEWARD_TEST_DIALECTS', () => {
  it('runs on both databases when unset or empty', () => {
    assert.deepEqual(testDialects(undefined), ['sqlite', 'postgres']);
    assert.deepEqual(testDialects(' '), ['sqlite', 'postgres']);
  });
  it('runs only the listed ones, in the usual order', () => {
    assert.deepEqual(testDialects('sqlite'), ['sqlite']);
    assert.deepEqual(testDialects('Postgres, sqlite'), ['sqlite', 'postgres']);
  });
  it('refuses a name it does not know instead of running nothing', () => {
    assert.throws(() => testDialects('sqlite,mysql'), /unknown dialect\(s\) mysql/);
  });
});
