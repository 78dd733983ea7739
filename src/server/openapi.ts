// The OpenAPI document served at /openapi.json. Written by hand, kept next to the routes it
// describes; test/openapi.http.test.ts checks that every registered route appears here.
const bearer = [{ bearerAuth: [] }];
const analyticsParams = [
  { name: 'workspace_id', in: 'path', required: true, schema: { type: 'string' } },
  { name: 'start_time', in: 'query', description: 'Inclusive. Unix seconds or ISO 8601. Default: 30 days before end_time.', schema: { type: 'string' } },
  { name: 'end_time', in: 'query', description: 'Exclusive. Unix seconds or ISO 8601. Default: now.', schema: { type: 'string' } },
  { name: 'group_by', in: 'query', schema: { type: 'string', enum: ['day', 'week'], default: 'day' } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 30000, default: 1000 } },
  { name: 'page', in: 'query', description: 'The next_page cursor of the previous page (also accepted as next_page).', schema: { type: 'string' } },
];
const page = { type: 'object', properties: { object: { const: 'page' }, data: { type: 'array', items: {} }, has_more: { type: 'boolean' }, next_page: { type: ['string', 'null'] } } };
const errors = {
  '401': { description: 'Missing, unknown, revoked or expired key' },
  '403': { description: 'Key lacks the scope or belongs to another workspace' },
  '422': { description: 'A parameter is invalid; detail[] names it' },
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Steward', version: '0.1.0', description: 'Self-hosted governance and observability for AI coding agents. Analytics paths mirror OpenAI\'s Codex Analytics API.' },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
  paths: {
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
    '/readyz': { get: { summary: 'Readiness (database reachable, not shutting down)', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics (ingest outcomes by reason, HTTP latency, process)', responses: { '200': { description: 'text exposition format' } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    '/v1/logs': {
      post: {
        summary: 'OTLP/HTTP logs receiver (Codex [otel] exporter)',
        security: bearer,
        description: 'Scope ingest.write. application/json or application/x-protobuf, optionally gzip. Rejected records are reported in partialSuccess; the rest land. 503/429 carry Retry-After.',
        requestBody: { content: { 'application/json': {}, 'application/x-protobuf': {} } },
        responses: { '200': { description: 'ExportLogsServiceResponse' }, '400': { description: 'Malformed body' }, '413': { description: 'Body or decompressed body too large' }, '415': { description: 'Unsupported content type or encoding' }, '503': { description: 'Retry later' }, ...errors },
      },
    },
    '/v1/analytics/codex/workspaces/{workspace_id}/usage': {
      get: {
        summary: 'Usage per user (default) or per workspace (group=workspace) and bucket',
        security: bearer,
        description: 'Scope codex.enterprise.analytics.read.',
        parameters: [...analyticsParams, { name: 'group', in: 'query', schema: { type: 'string', enum: ['user', 'workspace'], default: 'user' } }],
        responses: { '200': { description: 'Page of usage rows', content: { 'application/json': { schema: page } } }, ...errors },
      },
    },
    '/v1/admin/workspaces': { get: { summary: 'The key\'s workspace', security: bearer, responses: { '200': { description: 'list' }, ...errors } } },
    '/v1/admin/workspaces/{workspace_id}/users': {
      get: { summary: 'List users', security: bearer, responses: { '200': { description: 'list' }, ...errors } },
      post: { summary: 'Add a user {email, name?, role?, github_login?}', security: bearer, responses: { '201': { description: 'created' }, '409': { description: 'exists' }, ...errors } },
    },
    '/v1/admin/workspaces/{workspace_id}/keys': {
      get: { summary: 'List keys (never their secrets)', security: bearer, responses: { '200': { description: 'list' }, ...errors } },
      post: { summary: 'Create a key {scopes[], user?, name?, shared_collector?}; the secret is returned once', security: bearer, responses: { '201': { description: 'created' }, ...errors } },
    },
    '/v1/admin/workspaces/{workspace_id}/keys/{key_id}/revoke': { post: { summary: 'Revoke a key', security: bearer, responses: { '200': { description: 'revoked' }, '404': { description: 'unknown key' }, ...errors } } },
  } as Record<string, unknown>,
};
