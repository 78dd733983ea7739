// The dashboard's static files (web/, built by `npm run build` into dist/web): read once when the
// app is built, served from memory in the best encoding the browser accepts (the build wrote .br
// and .gz beside each file, so nothing is compressed per request). Hashed assets never change under
// their name (immutable); index.html is asked for again every time (no-cache), so a new build is
// picked up at once. Every page answer carries a strict CSP: our own scripts and styles only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { StewardError } from '../core/errors.js';
import { sendError } from '../platform/http/errors.js';

/** The page paths the single-page app answers (the browser's router picks the view). */
export const WEB_PAGES = [
  '/',
  '/sign-in',
  '/auth/set-password',
  '/users/:user_id',
  '/teams',
  '/adoption',
  '/keys',
  '/admin',
  '/code-review',
  '/tools',
  '/compliance',
] as const;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

interface WebFile {
  type: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** Where `npm run build` writes the bundle: <package>/dist/web, from src/app and dist/app alike. */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../dist/web/', import.meta.url));
}

function readBundle(root: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  if (!fs.existsSync(path.join(root, 'index.html'))) return files;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.(br|gz)$/.test(entry.name)) {
        const read = (suffix: string) => (fs.existsSync(full + suffix) ? fs.readFileSync(full + suffix) : undefined);
        const rel = `/${path.relative(root, full).split(path.sep).join('/')}`;
        const type = TYPES[path.extname(entry.name)] ?? 'application/octet-stream';
        files.set(rel, { type, identity: fs.readFileSync(full), br: read('.br'), gzip: read('.gz') });
      }
    }
  };
  walk(root);
  return files;
}

// q=0 refuses an encoding; anything else listed is taken (browsers send plain lists).
function accepts(req: FastifyRequest, encoding: string): boolean {
  const header = String(req.headers['accept-encoding'] ?? '');
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    return name.trim() === encoding && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

function send(req: FastifyRequest, reply: FastifyReply, file: WebFile, cache: string) {
  reply.header('content-type', file.type).header('cache-control', cache).header('vary', 'accept-encoding');
  reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  if (file.br && accepts(req, 'br')) return reply.header('content-encoding', 'br').send(file.br);
  if (file.gzip && accepts(req, 'gzip')) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.identity);
}

export async function webRoutes(app: FastifyInstance, root: string) {
  const files = readBundle(root);
  const page = {
    summary: 'The dashboard (HTML; the browser picks the view from the path)',
    description: 'Public: the page holds no data; it signs in through /auth/* and reads the API with its session.',
    response: { 200: { description: 'index.html, no-cache' }, 404: { description: 'the dashboard is not built' } },
  };
  const asset = {
    summary: "The dashboard's hashed scripts and styles (brotli or gzip when accepted)",
    params: z.object({ file: z.string().describe('A file name the build wrote, e.g. index-3f2a1c.js') }),
    response: { 200: { description: 'the file, immutable' }, 404: { description: 'no such asset' } },
  };
  const index = files.get('/index.html');
  for (const path of WEB_PAGES) {
    app.get(path, { schema: page }, async (req, reply) => {
      if (!index) {
        const why = 'the dashboard is not built: run `npm run build` (it writes dist/web)';
        return sendError(reply, new StewardError('not_found', why));
      }
      return send(req, reply, index, 'no-cache');
    });
  }
  app.get('/assets/:file', { schema: asset }, async (req, reply) => {
    const file = files.get(req.url.split('?')[0]);
    if (!file) return sendError(reply, new StewardError('not_found', `no dashboard asset ${req.url.split('?')[0]}`));
    return send(req, reply, file, 'public, max-age=31536000, immutable');
  });
}
