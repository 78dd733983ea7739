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
  workspaceId?: string; // ?workspace=ID; the default workspace otherwise
  event: string;
  deliveryId?: string;
  payload: unknown;
  now: number;
}

export function codeReviewEnv(github: Config['github'], now: number): CodeReviewEnv {
  return { botLogins: github.bot_logins, reactionClasses: { up: github.upvote_reactions, down: github.downvote_reactions }, now };
}

export async function handleGithubDelivery(db: Db, github: Config['github'], d: GithubDelivery): Promise<{ status: 200 | 202; body: Record<string, unknown> }> {
  const ws = d.workspaceId ? await findWorkspace(db, d.workspaceId) : await defaultWorkspace(db);
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
  if (duplicate) return { status: 200, body: { ...base, action: n.action, duplicate: true, reason: 'delivery already processed' } };
  return { status: 200, body: { ...base, action: n.action, duplicate: false, applied: result } };
}
