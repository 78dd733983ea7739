// OpenAPI entries for session-file uploads (steward push / collect), merged into openapi.ts.
const bearer = [{ bearerAuth: [] }];

export const ROLLOUT_PATHS: Record<string, unknown> = {
  '/v1/ingest/rollouts': {
    post: {
      summary: 'New parts of Codex session files from one machine (steward push / collect)',
      security: bearer,
      description:
        'Scope ingest.write; the key must belong to a user (the sessions are theirs). Body (application/json, optionally Content-Encoding: gzip): ' +
        '{host?, installation_id? (Codex $CODEX_HOME/installation_id), files: [{path, thread_id?, offset, line, lines: [{n: bytes, t?: text | h?: head of an over-long line, b?: 1 (binary)}], reset?, final?, mtime_ms?, size?}]}. ' +
        'offset/line are the byte offset and line count where the first line starts; the server keeps a checkpoint per (machine, path) and answers per file with the offset to continue from: ' +
        'stored | duplicate (already had it) | gap (resend from offset) | conflict (the file changed: resend from 0 with reset). Idempotent: facts are keyed by response_id, turn_id and (thread, ordinal).',
      requestBody: {
        content: {
          'application/json': {
            example: {
              host: 'dev-laptop',
              installation_id: '6f1c2d1e-0c4b-4a8e-9d51-0d9f1f3e2a77',
              files: [{ path: '/home/dev/.codex/sessions/2026/11/22/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl', offset: 0, line: 0, lines: [{ n: 27, t: '{"timestamp":"…","type":"…"}' }] }],
            },
          },
        },
      },
      responses: {
        '200': { description: '{machine_id, files: [{path, status, offset, line, lines, skipped, rejected?: [{line, reason, detail}]}], stored: {threads, turns, requests, tools, duplicates, content}}' },
        '401': { description: 'missing or invalid key' },
        '403': { description: 'key lacks ingest.write or belongs to no user' },
        '413': { description: 'body too large' },
        '415': { description: 'not application/json, or an unsupported content encoding' },
        '422': { description: 'invalid upload (detail[] names the field)' },
        '503': { description: 'busy or shutting down; retry after Retry-After' },
      },
    },
  },
};
