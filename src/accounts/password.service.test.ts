import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password.service.js';

describe('password hashing', () => {
  it('stores argon2id with its parameters, and verifies only the right password', async () => {
    const h = await hashPassword('correct horse battery');
    assert.match(h, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    assert.equal(await verifyPassword(h, 'correct horse battery'), true);
    assert.equal(await verifyPassword(h, 'correct horse batterx'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
  });
});
