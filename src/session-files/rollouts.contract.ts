// POST /v1/ingest/rollouts: new parts of Codex session files (steward push / collect). The
// receiver decodes the body itself (optionally gzip) and the upload use-case checks it, so the
// body schema documents and does not validate.
import { z } from 'zod';
import { described, errorResponse, handlerParsed } from '../platform/http/contract.js';

const line = z.object({
  n: z.number().describe('Bytes of the line.'),
  t: z.string().optional().describe('The text.'),
  h: z.string().optional().describe('The head of an over-long line.'),
  b: z.literal(1).optional().describe('A binary line.'),
});
const file = z.object({
  path: z.string(),
  thread_id: z.string().optional(),
  offset: z.number().describe('Byte offset where the first line starts.'),
  line: z.number().describe('Line count before the first line.'),
  lines: z.array(line),
  reset: z.boolean().optional().describe('The file changed: the server forgets its checkpoint (send from 0).'),
  final: z.boolean().optional(),
  mtime_ms: z.number().optional(),
  size: z.number().optional(),
});
const EXAMPLE = {
  host: 'dev-laptop',
  installation_id: '6f1c2d1e-0c4b-4a8e-9d51-0d9f1f3e2a77',
  files: [
    {
      path:
        '/home/dev/.codex/sessions/2026/11/22/' +
        'rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl',
      offset: 0,
      line: 0,
      lines: [{ n: 27, t: '{"timestamp":"…","type":"…"}' }],
    },
  ],
};

export const rolloutsRoute = {
  summary: 'New parts of Codex session files from one machine (steward push / collect)',
  description:
    'The key must belong to a user (the sessions are theirs). application/json, optionally ' +
    'Content-Encoding: gzip. The server keeps a checkpoint per (machine, path) and answers per file with the ' +
    'offset to continue from: stored | duplicate (already had it) | gap (resend from offset) | conflict (the file ' +
    'changed: resend from 0 with reset). Idempotent: facts are keyed by response_id, turn_id and (thread, ordinal).',
  body: handlerParsed(
    z
      .object({
        host: z.string().optional(),
        installation_id: z.string().optional().describe('Codex $CODEX_HOME/installation_id.'),
        files: z.array(file),
      })
      .meta({ examples: [EXAMPLE] }),
  ),
  response: {
    200: described(
      '{machine_id, files: [{path, status, offset, line, lines, skipped, unknown?, ' +
        'rejected?: [{line, reason, detail}]}], ' +
        'stored: {threads, turns, requests, tools, duplicates, content, events, skills, unknown}}',
    ),
    403: errorResponse('key lacks ingest.write or belongs to no user'),
    413: errorResponse('body too large'),
    415: errorResponse('not application/json, or an unsupported content encoding'),
    429: errorResponse('busy (ingest.max_concurrent_batches in flight); retry after Retry-After'),
    503: errorResponse('shutting down or storage unavailable; retry after Retry-After'),
  },
};
