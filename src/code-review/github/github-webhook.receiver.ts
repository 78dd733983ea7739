// POST /v1/integrations/github/webhook: verify X-Hub-Signature-256 over the raw body, decode, and
// hand the delivery to the use-case. GitHub authenticates with the shared secret, not a bearer key.
import type { FastifyInstance } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { handleGithubDelivery } from './github-webhook.service.js';
import { decodeWebhookBody } from './decode.js';
import { verifySignature } from './verify.js';
import type { AppContext } from '../../platform/http/context.js';

export const GITHUB_WEBHOOK_PATH = '/v1/integrations/github/webhook';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

export async function githubWebhookReceiver(app: FastifyInstance, ctx: AppContext) {
  app.post(GITHUB_WEBHOOK_PATH, async (req, reply) => {
    const github = ctx.config.github;
    if (!github.webhook_secret) throw new StewardError('not_found', 'the GitHub integration is not configured: set [github] webhook_secret (or STEWARD_GITHUB_WEBHOOK_SECRET)');
    // The app's content-type parsers hand this path the raw bytes (see app.ts).
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifySignature(github.webhook_secret, raw, req.headers['x-hub-signature-256']);
    if (!check.ok) {
      const why = { missing: 'X-Hub-Signature-256 header is missing', malformed: 'X-Hub-Signature-256 is not "sha256=<64 hex digits>"', mismatch: 'X-Hub-Signature-256 does not match the body and the configured secret' };
      throw new StewardError('bad_signature', why[check.reason]);
    }
    const event = one(req.headers['x-github-event']);
    if (!event) throw new StewardError('invalid_request', 'X-GitHub-Event header is missing');
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const decoded = decodeWebhookBody(raw, type);
    if (!decoded.ok) throw new StewardError(type === 'application/json' || type === '' || type === 'application/x-www-form-urlencoded' ? 'malformed_body' : 'unsupported_media_type', decoded.reason);
    const workspaceId = one((req.query as Record<string, string | string[] | undefined>).workspace);
    const out = await handleGithubDelivery(ctx.store.db, github, { workspaceId, event, deliveryId: one(req.headers['x-github-delivery']), payload: decoded.payload, now: Date.now() });
    if (out.status === 200 && !out.body.duplicate && event !== 'ping') req.log.info({ event, delivery: out.body.delivery }, 'github delivery stored');
    return reply.code(out.status).send(out.body);
  });
}
