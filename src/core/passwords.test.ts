import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPassword, PASSWORD_MIN } from './passwords.js';

describe('password rules (NIST SP 800-63B, single factor)', () => {
  const refused = (p: string, email: string | null, why: RegExp) =>
    assert.throws(
      () => checkPassword(p, email),
      (e: Error & { code?: string }) => e.code === 'validation' && why.test(e.message),
    );
  it('refuses fewer than 15 characters, counted as code points', () => {
    refused('a'.repeat(3) + 'bcdefghijk', null, /at least 15/);
    refused('😀'.repeat(7) + 'abcdefg', null, /at least 15 characters \(has 14\)/);
    assert.equal(checkPassword('correct horse battery', null), 'correct horse battery');
  });
  it('takes long passphrases, spaces and Unicode, normalized NFKC', () => {
    assert.equal(checkPassword('ｆｕｌｌｗｉｄｔｈ passphrase', null), 'fullwidth passphrase');
    assert.ok(checkPassword('x'.repeat(PASSWORD_MIN - 1) + 'y'.repeat(100), null));
    refused('xy'.repeat(65), null, /at most 128/);
  });
  it('refuses one repeated character and the account email or its name part', () => {
    refused('a'.repeat(20), null, /repeated/);
    refused('my alice.smith password', 'alice.smith@example.com', /email/);
    refused('xxalice.smith@example.comxx', 'Alice.Smith@example.com', /email/);
    assert.ok(checkPassword('correct horse battery', 'o@example.com'), 'a name part under 3 characters is not checked');
  });
});
