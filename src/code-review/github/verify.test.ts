import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { it } from 'node:test';
import { signBody, verifySignature } from './verify.js';

const body = Buffer.from('{"zen":"Keep it logically awesome."}');

it('accepts the HMAC-SHA256 of the raw body, as GitHub documents it', () => {
  // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
  assert.equal(
    signBody("It's a Secret to Everybody", 'Hello, World!'),
    'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
  );
  assert.deepEqual(verifySignature('s3cret', body, signBody('s3cret', body)), { ok: true });
  assert.deepEqual(
    verifySignature('s3cret', body, signBody('s3cret', body).toUpperCase().replace('SHA256=', 'sha256=')),
    { ok: true },
  );
});

it('rejects a missing, malformed or mismatching signature, and any change to the bytes', () => {
  assert.deepEqual(verifySignature('s3cret', body, undefined), { ok: false, reason: 'missing' });
  assert.deepEqual(verifySignature('s3cret', body, ''), { ok: false, reason: 'missing' });
  assert.deepEqual(
    verifySignature('s3cret', body, 'sha1=' + crypto.createHmac('sha1', 's3cret').update(body).digest('hex')),
    { ok: false, reason: 'malformed' },
  );
  assert.deepEqual(verifySignature('s3cret', body, 'sha256=abc'), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifySignature('s3cret', body, ['a', 'b']), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifySignature('other', body, signBody('s3cret', body)), { ok: false, reason: 'mismatch' });
  const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
  assert.deepEqual(verifySignature('s3cret', reserialized, signBody('s3cret', body)), {
    ok: false,
    reason: 'mismatch',
  });
});
