// POST /v1/integrations/github/webhook. The receiver verifies the signature over the raw bytes and
// decodes them itself, so these schemas document and do not validate.
import { z } from 'zod';
import { described, errorResponse, handlerParsed } from '../../platform/http/contract.js';

export const githubWebhookRoute = {
  summary:
    'GitHub webhook receiver (Codex Code Review: pull_request_review, pull_request_review_comment, ' +
    'issue_comment, pull_request, ping)',
  description:
    'Authenticated by X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the secret bound to the target ' +
    'workspace: its [github.workspace_secrets] entry, else [github] webhook_secret for the default workspace ' +
    'only), not a bearer key. Deliveries go to the default workspace unless ?workspace=ID; a signature that ' +
    "does not verify with that workspace's secret, or an unknown workspace, is 401 bad_signature." +
    ' Idempotent on X-GitHub-Delivery and on GitHub object ids.' +
    ' application/json or application/x-www-form-urlencoded (payload=).',
  consumes: ['application/json', 'application/x-www-form-urlencoded'],
  querystring: handlerParsed(
    z.object({ workspace: z.string().optional().describe('The workspace the delivery writes into.') }),
  ),
  headers: handlerParsed(
    z.object({
      'X-GitHub-Event': z.string(),
      'X-GitHub-Delivery': z.string().optional(),
      'X-Hub-Signature-256': z.string().describe('sha256=<64 hex digits>'),
    }),
  ),
  body: handlerParsed(z.object({}).loose().describe('The GitHub event payload.')),
  response: {
    200: described('Stored (applied counts), a ping, or a replayed delivery (duplicate: true)'),
    202: described('Event or action not used by Steward (ignored: true, reason)'),
    400: errorResponse('Malformed JSON, missing X-GitHub-Event, or a payload without the fields needed'),
    401: errorResponse('Signature missing or not matching'),
    404: errorResponse('Integration not configured'),
  },
};
