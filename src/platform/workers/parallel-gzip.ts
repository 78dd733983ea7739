// gzip that uses more than one core: one standard gzip member (RFC 1952) whose deflate stream is
// compressed block by block in libuv's thread pool, several blocks at a time, the way pigz does it.
// Each block is raw deflate primed with the previous block's last 32 KB as its dictionary (so
// matches reach back across block edges as in one stream) and ended with a sync flush (byte
// aligned, not final); an empty final block closes the stream; the CRC-32 and length of the whole
// input make the trailer. zlib.createGzip compresses a stream on one thread only, which capped
// log-file downloads and exports at the speed of one core while the other one idled.
import os from 'node:os';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw) as (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;
const WINDOW = 32 * 1024;
const FINAL_EMPTY_BLOCK = zlib.deflateRawSync(Buffer.alloc(0)); // BFINAL fixed-Huffman block: 03 00

export interface ParallelGzipOptions {
  level?: number; // zlib level (default 6, as gzip)
  parallel?: number; // blocks in flight (default: two per core, so the pool never waits on this thread)
}

// Input chunk size that suits gzipChunks: each block costs the main thread a fixed setup (a zlib
// stream, its dictionary, a trip to the pool), so 1 MB blocks beat 256 KB ones by a fifth on an
// export at level 3 (measured: 59-65k -> 76-79k records/s, bench/compliance.bench.ts), with a few
// MB in flight at most.
export const GZIP_BLOCK_BYTES = 1024 * 1024;

// Compresses the chunks of `input` (each chunk is one block, see GZIP_BLOCK_BYTES) into gzip.
export async function* gzipChunks(
  input: AsyncIterable<Buffer>,
  opts: ParallelGzipOptions = {},
): AsyncGenerator<Buffer> {
  const level = opts.level ?? 6;
  const parallel = Math.max(1, opts.parallel ?? 2 * os.availableParallelism());
  // Header: magic, deflate, no flags, no mtime, extra flags as zlib sets them, OS = Unix.
  yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level < 2 ? 4 : 0, 3]);
  let crc = 0;
  let size = 0;
  let previous: Buffer | undefined;
  const inFlight: Promise<Buffer>[] = [];
  for await (const chunk of input) {
    if (!chunk.length) continue;
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    const dictionary = previous && previous.subarray(Math.max(0, previous.length - WINDOW));
    // Output room for the whole block, so each block is one trip to the pool and back (with the
    // 16 KB default a block took a dozen, measured: 94 vs 118 MB/s on one core).
    const block = deflateRaw(chunk, {
      level,
      chunkSize: Math.max(64 * 1024, chunk.length + 1024),
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      ...(dictionary ? { dictionary } : {}),
    });
    block.catch(() => {}); // awaited below; a consumer that stops early leaves it unawaited
    inFlight.push(block);
    previous = chunk;
    if (inFlight.length >= parallel) yield await inFlight.shift()!;
  }
  while (inFlight.length) yield await inFlight.shift()!;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  yield Buffer.concat([FINAL_EMPTY_BLOCK, trailer]);
}
