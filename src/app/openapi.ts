// The OpenAPI document served at /openapi.json. Written by hand, kept next to the routes it
// describes; test/openapi.http.test.ts checks that every registered route appears here.
import { COMPLIANCE_PATHS } from '../compliance/index.js';
import { ROLLOUT_PATHS } from '../session-files/index.js';

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
    '/v1/analytics/codex/workspaces/{workspace_id}/code_reviews': {
      get: {
        summary: 'Codex Code Review activity per bucket (group=workspace) or per bucket and repository (group=repository)',
        security: bearer,
        description:
          'Scope codex.enterprise.analytics.read. Rows: start_time, end_time, pull_request_reviews, comments, comment_details {p0, p1, p2, p3, unprioritized} (p3 and unprioritized are Steward additions); repository with group=repository. Comments are bucketed by their creation time.',
        parameters: [...analyticsParams, { name: 'group', in: 'query', schema: { type: 'string', enum: ['workspace', 'repository'], default: 'workspace' } }],
        responses: { '200': { description: 'Page of code review rows', content: { 'application/json': { schema: page } } }, ...errors },
      },
    },
    '/v1/analytics/codex/workspaces/{workspace_id}/code_review_responses': {
      get: {
        summary: 'Responses to Codex review comments (replies, reactions, engagement) per bucket or per bucket and repository',
        security: bearer,
        description:
          'Scope codex.enterprise.analytics.read. Rows: start_time, end_time, pull_request_reviews, comments, replies, reactions, reaction_details {upvotes, downvotes, other}, comment_response_details {engaged, reacted, upvoted, downvoted, reacted_other, replied} (distinct comments with that response, counted in the bucket of the comment). Reactions are polled from GitHub; a removed reaction is subtracted.',
        parameters: [...analyticsParams, { name: 'group', in: 'query', schema: { type: 'string', enum: ['workspace', 'repository'], default: 'workspace' } }],
        responses: { '200': { description: 'Page of code review response rows', content: { 'application/json': { schema: page } } }, ...errors },
      },
    },
    '/v1/integrations/github/webhook': {
      post: {
        summary: 'GitHub webhook receiver (Codex Code Review: pull_request_review, pull_request_review_comment, issue_comment, pull_request, ping)',
        description:
          'Authenticated by X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the secret bound to the target ' +
          'workspace: its [github.workspace_secrets] entry, else [github] webhook_secret for the default workspace ' +
          'only), not a bearer key. Deliveries go to the default workspace unless ?workspace=ID; a signature that ' +
          'does not verify with that workspace\'s secret, or an unknown workspace, is 401 bad_signature.' +
          ' Idempotent on X-GitHub-Delivery and on GitHub object ids.' +
          ' application/json or application/x-www-form-urlencoded (payload=).',
        parameters: [
          { name: 'workspace', in: 'query', schema: { type: 'string' } },
          { name: 'X-GitHub-Event', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'X-GitHub-Delivery', in: 'header', schema: { type: 'string' } },
          { name: 'X-Hub-Signature-256', in: 'header', required: true, schema: { type: 'string' } },
        ],
        requestBody: { content: { 'application/json': {}, 'application/x-www-form-urlencoded': {} } },
        responses: {
          '200': { description: 'Stored (applied counts), a ping, or a replayed delivery (duplicate: true)' },
          '202': { description: 'Event or action not used by Steward (ignored: true, reason)' },
          '400': { description: 'Malformed JSON, missing X-GitHub-Event, or a payload without the fields needed' },
          '401': { description: 'Signature missing or not matching' },
          '404': { description: 'Integration not configured, or unknown workspace' },
        },
      },
    },
    '/v1/ingest/code_review_events': {
      post: {
        summary: 'Code review facts from other code hosts: reviews, comments (priority, replies), reactions, pull request state',
        security: bearer,
        description:
          'Scope ingest.write. Body {host?: string (default "custom"), events: [...]}; each event has type review | comment | reaction | pull_request (see src/code-review/json/schema.ts). Times are Unix seconds or ISO 8601. Idempotent on ids; invalid events are listed in rejected[] and the rest are stored.',
        requestBody: {
          content: {
            'application/json': {
              example: {
                host: 'gitlab',
                events: [
                  { type: 'review', id: 1, repository: 'acme/api', pull_request: 7, author: { login: 'codex-bot' }, bot: true, created_at: '2026-01-05T10:00:00Z' },
                  { type: 'comment', id: 11, repository: 'acme/api', pull_request: 7, review_id: 1, author: { login: 'codex-bot' }, bot: true, priority: 'P1', created_at: '2026-01-05T10:00:00Z' },
                  { type: 'comment', id: 12, repository: 'acme/api', pull_request: 7, author: { login: 'alice', email: 'alice@example.com' }, in_reply_to: 11, created_at: '2026-01-05T11:00:00Z' },
                  { type: 'reaction', comment_id: 11, content: '+1', user: { login: 'alice' } },
                  { type: 'pull_request', repository: 'acme/api', number: 7, action: 'merged', at: '2026-01-06T09:00:00Z' },
                ],
              },
            },
          },
        },
        responses: { '200': { description: '{accepted, rejected[{index, reason}], applied}' }, '415': { description: 'Not JSON' }, ...errors },
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
    ...COMPLIANCE_PATHS,
    ...ROLLOUT_PATHS,
  } as Record<string, unknown>,
};
