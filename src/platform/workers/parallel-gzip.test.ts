import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { it } from 'node:test';
import zlib from 'node:zlib';
import { gzipChunks } from './parallel-gzip.js';

async function gzipOf(chunks: Buffer[], level: number, parallel?: number): Promise<Buffer> {
  const out: Buffer[] = [];
  async function* input() {
    yield* chunks;
  }
  for await (const b of gzipChunks(input(), { level, parallel })) out.push(b);
  return Buffer.concat(out);
}

it('writes one standard gzip member, whatever the blocks, levels and parallelism', async () => {
  const text = Buffer.from(
    Array.from({ length: 20_000 }, (_, i) => `{"seq":${i},"text":"the quick brown fox ${i % 97}"}\n`).join(''),
  );
  const noise = crypto.randomBytes(300_000); // incompressible: stored blocks
  const data = Buffer.concat([text, noise, text]);
  const cuts = [0, 1, 17, 40_000, 40_001, 300_000, 700_000, data.length];
  const chunks = cuts
    .slice(1)
    .map((c, i) => data.subarray(cuts[i], c))
    .concat([Buffer.alloc(0)]);
  for (const level of [1, 2, 6, 9])
    for (const parallel of [1, 3]) {
      const gz = await gzipOf(chunks, level, parallel);
      assert.ok(zlib.gunzipSync(gz).equals(data), `level ${level}`);
      // One member: a single raw deflate stream between the 10-byte header and the 8-byte trailer.
      assert.ok(zlib.inflateRawSync(gz.subarray(10, -8)).equals(data));
      assert.equal(gz.readUInt32LE(gz.length - 4), data.length);
      assert.equal(gz.readUInt32LE(gz.length - 8), zlib.crc32(data));
    }
  // Blocks see the previous block's window: as small as one stream of the same level.
  const blocks = Array.from({ length: 20 }, (_, i) => text.subarray(i * 40_000, (i + 1) * 40_000));
  assert.ok((await gzipOf(blocks, 2)).length < zlib.gzipSync(text.subarray(0, 800_000), { level: 2 }).length * 1.05);
  assert.ok(zlib.gunzipSync(await gzipOf([], 2)).equals(Buffer.alloc(0)));
});
