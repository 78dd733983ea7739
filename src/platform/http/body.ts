// Request bodies. JSON APIs get parsed JSON; a receiver plugin takes raw bytes in its own Fastify
// context (acceptRawBodies) and decides format and decompression itself. Raw bodies are size-limited
// before and after decompression, so a gzip bomb is cut off at the configured decompressed size
// instead of filling memory.
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import { StewardError } from '../../core/errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

export async function decodeBody(body: Buffer, encoding: string | undefined, maxDecompressed: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'deflate')
    throw new StewardError('unsupported_encoding', `content-encoding "${enc}" is not supported (use gzip or identity)`);
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

/** The request's media type, lower-cased, without parameters ('' when there is none). */
export function mediaType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/** Whether the request names a content-encoding other than identity. */
export function hasEncoding(req: FastifyRequest): boolean {
  const enc = req.headers['content-encoding'];
  return typeof enc === 'string' ? !['', 'identity'].includes(enc.trim().toLowerCase()) : enc !== undefined;
}

/** JSON from bytes; an empty body is `empty` when given (JSON APIs take none as {}), else malformed. */
export function jsonFromBytes(raw: Buffer, empty?: unknown): unknown {
  if (raw.length === 0 && empty !== undefined) return empty;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new StewardError('malformed_body', `body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Parses a JSON body ({} when empty); an encoded one stays raw bytes, for the route to refuse. */
export function parseJson(req: FastifyRequest, body: Buffer): unknown {
  return hasEncoding(req) ? body : jsonFromBytes(body, {});
}

/** Gives the JSON APIs of this context parsed application/json bodies and nothing else. */
export function acceptJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      done(null, parseJson(req, body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

/** Hands every route of this (receiver's) context the raw bytes of any content type. */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}
