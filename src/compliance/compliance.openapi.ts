// OpenAPI paths of the Compliance API (spread into openapi.ts).
const bearer = [{ bearerAuth: [] }];
const errors = {
  '401': { description: 'Missing, unknown, revoked or expired key (recorded in AUTH_LOG)' },
  '403': { description: 'Key lacks the scope or belongs to another workspace (recorded in AUTH_LOG)' },
  '422': { description: 'A parameter is invalid; detail[] names it' },
};
const busy = { '503': { description: 'compliance.max_concurrent_reads downloads and verifications already in flight; retry after Retry-After seconds' } };
const ws = { name: 'workspace_id', in: 'path', required: true, schema: { type: 'string' } };
const eventType = { name: 'event_type', in: 'query', schema: { type: 'string', enum: ['CODEX_LOG', 'CODEX_SECURITY_LOG', 'AUDIT_LOG', 'AUTH_LOG'] } };
const read = 'Scope codex.enterprise.compliance.read.';
const manage = 'Scope codex.enterprise.compliance.delete. Audited (AUDIT_LOG).';
const B = '/v1/compliance/workspaces/{workspace_id}';

export const COMPLIANCE_PATHS: Record<string, unknown> = {
  [`${B}/logs`]: {
    get: {
      summary: 'List log files (OpenAI Compliance Logs Platform): JSONL files of one event type per recorded-time window',
      description: `${read} Page with after=last_end_time until has_more is false. Files are immutable once listed (retention may later remove content).`,
      security: bearer,
      parameters: [ws, eventType, { name: 'after', in: 'query', description: 'ISO 8601 with zone, or Unix seconds', schema: { type: 'string' } }, { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }],
      responses: { '200': { description: '{object: list, data: [{id, event_type, start_time, end_time, url}], has_more, last_end_time}' }, ...errors },
    },
  },
  [`${B}/logs/{log_file_id}`]: {
    get: {
      summary: 'Download a log file as JSONL (one record a line), streamed; gzip with Accept-Encoding: gzip',
      description: `${read} Each line: id, seq, event_type, workspace_id, timestamp, ts, recorded_at, user_id, thread_id, content, content_sha256, prev_hash, hash. Downloads are audited.`,
      security: bearer,
      parameters: [ws, { name: 'log_file_id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'application/x-ndjson' }, '404': { description: 'Not a log file id' }, ...busy, ...errors },
    },
  },
  [`${B}/max_event_time`]: { get: { summary: 'Newest event time (freshness watermark)', description: read, security: bearer, parameters: [ws, eventType], responses: { '200': { description: '{max_event_time}' }, ...errors } } },
  [`${B}/search`]: {
    get: {
      summary: 'Search records for investigations (user, thread, event type, time range, text), cursor-paged',
      description: read,
      security: bearer,
      parameters: [
        ws,
        { name: 'user', in: 'query', description: 'user id or email', schema: { type: 'string' } },
        { name: 'thread_id', in: 'query', schema: { type: 'string' } },
        { name: 'event_type', in: 'query', description: 'one or more, comma-separated', schema: { type: 'string' } },
        { name: 'start_time', in: 'query', schema: { type: 'string' } },
        { name: 'end_time', in: 'query', schema: { type: 'string' } },
        { name: 'q', in: 'query', description: 'text in the record content (case-insensitive)', schema: { type: 'string' } },
        { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        { name: 'after', in: 'query', description: 'next_cursor of the previous page', schema: { type: 'string' } },
      ],
      responses: { '200': { description: '{object: list, data: [record], has_more, next_cursor}' }, ...errors },
    },
  },
  [`${B}/verify`]: { get: { summary: 'Recompute the hash chain; names the first record that does not match', description: read, security: bearer, parameters: [ws], responses: { '200': { description: '{ok, records, first_bad: {seq, id, reason, detail} | null, ...}' }, ...busy, ...errors } } },
  [`${B}/checkpoint`]: { get: { summary: 'A checkpoint of the chain head signed with the server\'s Ed25519 key', description: read, security: bearer, parameters: [ws], responses: { '200': { description: 'signed checkpoint' }, '409': { description: 'No signing key configured' }, ...errors } } },
  [`${B}/checkpoints`]: { get: { summary: 'Checkpoints signed periodically by the server', description: read, security: bearer, parameters: [ws], responses: { '200': { description: 'list' }, ...errors } } },
  [`${B}/holds`]: {
    get: { summary: 'Legal holds (active=true: only active ones)', description: read, security: bearer, parameters: [ws], responses: { '200': { description: 'list' }, ...errors } },
    post: { summary: 'Place a legal hold {user?, thread_id?, start_time?, end_time?, reason?}: suspends retention for matching records', description: manage, security: bearer, parameters: [ws], responses: { '201': { description: 'the hold' }, ...errors } },
  },
  [`${B}/holds/{hold_id}/release`]: { post: { summary: 'Lift a legal hold', description: manage, security: bearer, parameters: [ws, { name: 'hold_id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'the released hold' }, '404': { description: 'Unknown hold' }, '409': { description: 'Already released' }, ...errors } } },
  [`${B}/retention/run`]: { post: { summary: 'Run retention now: remove content past each event type\'s retention (session-file content with CODEX_LOG), except held records; hashes stay', description: manage, security: bearer, parameters: [ws], responses: { '200': { description: '{run_id, cutoffs, purged, session_content_purged}' }, ...errors } } },
  [`${B}/policy`]: {
    get: { summary: 'Content policy: store | hash | redact per field, DLP redaction, allowed sandbox and approval modes', description: read, security: bearer, parameters: [ws], responses: { '200': { description: 'policy' }, ...errors } },
    put: { summary: 'Change the content policy (partial update)', description: manage, security: bearer, parameters: [ws], responses: { '200': { description: 'policy' }, ...errors } },
  },
  [`${B}/sinks`]: { get: { summary: 'SIEM sinks: cursor, lag, delivered and dead-letter counts, last error', description: read, security: bearer, parameters: [ws], responses: { '200': { description: 'list' }, ...errors } } },
};
