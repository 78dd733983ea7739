import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ChainVerifier } from './chain-verifier.js';
import { canonicalJson, GENESIS_HASH, parseRecordLine, RecordLineWriter, recordHash, recordLine, sha256hex, type ChainRecord } from './compliance.js';

it('canonical JSON sorts keys at every depth and drops undefined members (RFC 8785 for these values)', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é\n' }], c: true }, u: undefined }), '{"a":{"c":true,"d":[3,{"y":"é\\n","z":null}]},"b":1}');
  assert.equal(canonicalJson(JSON.parse(canonicalJson({ x: 1.5, y: -0, s: '"' }))), canonicalJson({ s: '"', y: 0, x: 1.5 }));
  assert.equal(canonicalJson({ 9: 'a', 10: 'b', b: 1, a: [undefined, NaN] }), '{"10":"b","9":"a","a":[null,null],"b":1}');
});

function chain(n: number): ChainRecord[] {
  const out: ChainRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = canonicalJson({ n: seq, text: `record ${seq}` });
    const r: ChainRecord = { workspace_id: 'w', seq, id: `id-${seq}`, event_type: 'CODEX_LOG', ts: 1000 + seq, recorded_at: 2000 + seq, user_id: 'u', thread_id: null, content, content_sha256: sha256hex(content), prev_hash: prev, hash: '' };
    r.hash = recordHash(prev, r);
    prev = r.hash;
    out.push(r);
  }
  return out;
}

const firstBad = (rows: ChainRecord[], cutoffs = new Map<string, number>()) => {
  const v = new ChainVerifier({ purgeCutoffs: cutoffs });
  for (const r of rows) v.push(r);
  return v.firstProblem;
};

it('verifies an intact chain and names the first altered, missing or reordered record', () => {
  assert.equal(firstBad(chain(5)), null);
  const altered = chain(5);
  altered[2] = { ...altered[2], content: altered[2].content!.replace('record', 'recorD') };
  assert.deepEqual([firstBad(altered)?.seq, firstBad(altered)?.reason], [3, 'content_altered']);
  const rehashed = chain(5);
  rehashed[1] = { ...rehashed[1], hash: rehashed[1].hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
  assert.deepEqual([firstBad(rehashed)?.seq, firstBad(rehashed)?.reason], [2, 'hash_mismatch']);
  const gap = chain(5).filter((r) => r.seq !== 4);
  assert.deepEqual([firstBad(gap)?.seq, firstBad(gap)?.reason], [4, 'missing_records']);
  const swapped = chain(5);
  [swapped[1], swapped[3]] = [{ ...swapped[3], seq: 2 }, { ...swapped[1], seq: 4 }];
  assert.deepEqual([firstBad(swapped)?.seq, firstBad(swapped)?.id, firstBad(swapped)?.reason], [2, 'id-4', 'hash_mismatch']);
});

it('accepts content removed by retention (the hash stays) and flags removal outside it', () => {
  const purged = chain(3).map((r) => (r.seq === 2 ? { ...r, content: null } : r));
  assert.equal(firstBad(purged, new Map([['CODEX_LOG', 5000]])), null);
  assert.equal(firstBad(purged)?.reason, 'content_removed_outside_retention');
  assert.equal(firstBad(purged, new Map([['CODEX_LOG', 1001]]))?.seq, 2);
});

it('a JSONL line carries everything needed to recompute the record', () => {
  for (const r of chain(3)) assert.deepEqual(parseRecordLine(recordLine(r)), r);
  const purged = { ...chain(1)[0], content: null };
  assert.match(recordLine(purged), /"content":null,"content_removed":"retention"/);
});

it('RecordLineWriter writes exactly recordLine + "\\n" as UTF-8, content given as bytes or as a string', () => {
  const odd = ['', 'plain', 'quote " and \\ backslash', 'ctl \u0000\u0001\n\t\u001f\u007f', 'é ü 中文 😀', 'lone \ud800 surrogate', '\u2028\u2029', 'x'.repeat(5000)];
  const times = [0, 1, 999, 86_399_999, 1_763_790_123_456, 253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000, 1.5];
  const records: ChainRecord[] = [];
  let k = 0;
  for (const s of odd)
    for (const t of times) {
      const base = chain(1)[0];
      const content = k % 5 === 0 ? null : canonicalJson({ s, k });
      records.push({ ...base, seq: [1, 9, 10, 99_999_999, 100_000_000, 123_456_789_012, 2 ** 53 - 1][k % 7], id: k % 3 ? s : base.id, event_type: k % 4 ? 'CODEX_LOG' : s, workspace_id: s || 'w', ts: t, recorded_at: Math.abs(Math.trunc(t)) + k, user_id: k % 2 ? null : s, thread_id: k % 3 ? s : null, content, hash: k % 6 ? base.hash : s, prev_hash: k % 7 ? base.prev_hash : s });
      k++;
    }
  const expected = Buffer.from(records.map((r) => recordLine(r) + '\n').join(''), 'utf8');
  for (const asBytes of [true, false]) {
    const w = new RecordLineWriter(1024); // small: grows past it
    const parts: Buffer[] = [];
    for (const r of records) {
      w.add(asBytes && r.content !== null ? { ...r, content: Buffer.from(r.content, 'utf8') } : r);
      if (w.length > 4096) parts.push(w.take());
    }
    parts.push(w.take());
    assert.ok(Buffer.concat(parts).equals(expected), `content as ${asBytes ? 'bytes' : 'a string'}`);
  }
});
