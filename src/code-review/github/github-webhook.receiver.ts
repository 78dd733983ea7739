// POST /v1/integrations/github/webhook: verify X-Hub-Signature-256 over the raw body with the secret
// bound to the workspace the delivery writes into, decode, and hand the delivery to the use-case.
// GitHub authenticates with that shared secret, not a bearer key.
//
// An unknown ?workspace=ID gets the same 401 bad_signature, in the same time, as a workspace with no
// secret of its own or a wrong signature: a caller without a valid secret learns nothing about which
// workspaces exist or which have secrets. (A 404 would answer "does workspace X exist?" to anyone.)
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StewardError } from '../../core/errors.js';
import { githubWebhookConfigured, handleGithubDelivery, targetWorkspace } from './github-webhook.service.js';
import { decodeWebhookBody } from './decode.js';
import { verifySignature } from './verify.js';
import type { AppContext } from '../../platform/http/context.js';
import { admit } from '../../platform/http/admission.js';
import { acceptRawBodies, mediaType } from '../../platform/http/body.js';
import { githubWebhookRoute } from './github-webhook.contract.js';

export const GITHUB_WEBHOOK_PATH = '/v1/integrations/github/webhook';

const one = (v: string | string[] | undefined): string | undefined =>
  (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

// GitHub does not retry a refused delivery by itself, so a webhook never waits for a batch slot.
const ADMISSION = { source: 'github', key: 'none', slot: false } as const;

const WHY = {
  missing: 'X-Hub-Signature-256 header is missing',
  malformed: 'X-Hub-Signature-256 is not "sha256=<64 hex digits>"',
  mismatch: 'X-Hub-Signature-256 does not match the body and the secret of the workspace it writes into',
} as const;

export async function githubWebhookReceiver(app: FastifyInstance, ctx: AppContext) {
  // The signature is over the bytes as sent: this context parses nothing.
  acceptRawBodies(app);
  app.post(GITHUB_WEBHOOK_PATH, { schema: githubWebhookRoute }, async (req, reply) =>
    admit(ctx, req, ADMISSION, async () => {
      const github = ctx.config.github;
      if (!githubWebhookConfigured(github)) {
        const how = 'set [github] webhook_secret or [github.workspace_secrets] (or STEWARD_GITHUB_WEBHOOK_SECRET)';
        throw new StewardError('not_found', `the GitHub integration is not configured: ${how}`);
      }
      const requested = one((req.query as Record<string, string | string[] | undefined>).workspace);
      const target = await targetWorkspace(ctx.store.db, github, requested);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifySignature(target.secret, raw, req.headers['x-hub-signature-256']);
      if (!check.ok) {
        const e = new StewardError('bad_signature', WHY[check.reason]);
        await recordRefusal(ctx, req, e, requested);
        throw e;
      }
      const event = one(req.headers['x-github-event']);
      if (!event) throw new StewardError('invalid_request', 'X-GitHub-Event header is missing');
      const type = mediaType(req);
      const decoded = decodeWebhookBody(raw, type);
      if (!decoded.ok) {
        const asJson = type === 'application/json' || type === '' || type === 'application/x-www-form-urlencoded';
        throw new StewardError(asJson ? 'malformed_body' : 'unsupported_media_type', decoded.reason);
      }
      const deliveryId = one(req.headers['x-github-delivery']);
      const delivery = { workspaceId: target.id, event, deliveryId, payload: decoded.payload, now: Date.now() };
      const out = await handleGithubDelivery(ctx.store.db, github, delivery);
      if (out.status === 200 && !out.body.duplicate && event !== 'ping') {
        req.log.info({ event, delivery: out.body.delivery }, 'github delivery stored');
      }
      return reply.code(out.status).send(out.body);
    }),
  );
}

// A refused signature is a refused credential: into AUTH_LOG like a bad bearer key (folded by reason
// and address, attributed to the requested workspace when it exists). The signature is not recorded.
async function recordRefusal(ctx: AppContext, req: FastifyRequest, e: StewardError, requested?: string): Promise<void> {
  await ctx.authFailures
    .record({
      code: e.code,
      message: e.message,
      method: req.method,
      path: req.url.split('?')[0],
      route: req.routeOptions?.url ?? null,
      requiredScope: null,
      requestedWorkspace: requested ?? null,
      ip: req.ip ?? null,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    })
    .catch((err) => req.log.error({ err }, 'could not record the refused webhook signature in AUTH_LOG'));
}
