// Raw request bodies for receivers: size-limited before and after decompression, so a gzip bomb
// is cut off at the configured decompressed size instead of filling memory.
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { StewardError } from '../../core/errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

export async function decodeBody(body: Buffer, encoding: string | undefined, maxDecompressed: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'deflate') throw new StewardError('unsupported_encoding', `content-encoding "${enc}" is not supported (use gzip or identity)`);
  try {
    return await (enc === 'gzip' ? gunzip : inflate)(body, { maxOutputLength: maxDecompressed });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new StewardError('body_too_large', `decompressed body exceeds the ${maxDecompressed}-byte limit`);
    }
    throw new StewardError('malformed_body', `${enc} body could not be decompressed: ${err.message}`);
  }
}
