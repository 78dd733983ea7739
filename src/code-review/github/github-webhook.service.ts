// The GitHub webhook use-case: pick the workspace, turn the (verified, decoded) delivery into facts
// and store them once per X-GitHub-Delivery. Returns the HTTP status and body for the receiver.
import type { Config } from '../../config/schema.js';
import { StewardError } from '../../core/errors.js';
import { normalizeGithubEvent } from './normalize.js';
import type { Db } from '../../platform/storage/database.js';
import { findWorkspace } from '../../platform/tenancy/workspaces.repository.js';
import { applyCodeReviewFacts, type CodeReviewEnv } from '../ingest.service.js';
import { defaultWorkspace } from '../../access/index.js';

export interface GithubDelivery {
  workspaceId: string; // the workspace whose secret verified the delivery (targetWorkspace)
  event: string;
  deliveryId?: string;
  payload: unknown;
  now: number;
}

/** Whether any webhook secret is configured at all (else the integration is off: 404). */
export function githubWebhookConfigured(github: Config['github']): boolean {
  return github.webhook_secret !== undefined || Object.keys(github.workspace_secrets).length > 0;
}

/**
 * The workspace a delivery writes into (`?workspace=ID`, else the default) and the secret bound to it:
 * its [github.workspace_secrets] entry, else `webhook_secret` for the default workspace only. Own
 * keys only, so an id such as "constructor" finds nothing rather than an inherited member.
 */
export async function targetWorkspace(
  db: Db,
  github: Config['github'],
  requested: string | undefined,
): Promise<{ id: string; secret?: string }> {
  const defaultId = (await defaultWorkspace(db)).id;
  const id = requested ?? defaultId;
  const own = Object.hasOwn(github.workspace_secrets, id) ? github.workspace_secrets[id] : undefined;
  return { id, secret: own ?? (id === defaultId ? github.webhook_secret : undefined) };
}

export function codeReviewEnv(github: Config['github'], now: number): CodeReviewEnv {
  return {
    botLogins: github.bot_logins,
    reactionClasses: { up: github.upvote_reactions, down: github.downvote_reactions },
    now,
  };
}

export async function handleGithubDelivery(
  db: Db,
  github: Config['github'],
  d: GithubDelivery,
): Promise<{ status: 200 | 202; body: Record<string, unknown> }> {
  // Reached only with a signature that verified with the secret configured for this id, so the caller
  // already knows the id; a 404 here is a configuration left over from a removed workspace.
  const ws = await findWorkspace(db, d.workspaceId);
  if (!ws) throw new StewardError('not_found', `no workspace with id ${d.workspaceId}`);
  const n = normalizeGithubEvent(d.event, d.payload, { botLogins: github.bot_logins, now: d.now });
  const base = { ok: true, event: d.event, delivery: d.deliveryId ?? null };
  switch (n.kind) {
    case 'ping':
      return { status: 200, body: { ...base, zen: n.zen ?? null, hook_id: n.hookId ?? null } };
    case 'ignored':
      return { status: 202, body: { ...base, ignored: true, reason: n.reason } };
    case 'invalid':
      throw new StewardError('invalid_request', `${d.event} payload is invalid: ${n.reason}`);
  }
  const delivery = d.deliveryId ? { id: d.deliveryId, event: d.event } : undefined;
  const { duplicate, result } = await applyCodeReviewFacts(db, ws.id, n.facts, codeReviewEnv(github, d.now), delivery);
  if (duplicate)
    return { status: 200, body: { ...base, action: n.action, duplicate: true, reason: 'delivery already processed' } };
  return { status: 200, body: { ...base, action: n.action, duplicate: false, applied: result } };
}
