// The workspace content policy (store | hash | redact per content field, DLP redaction, allowed
// sandbox and approval modes), kept in the workspace's settings under "compliance".
import { mergeContentPolicy, policyFromSettings, type ContentPolicy } from '../core/content-policy.js';
import { StewardError } from '../core/errors.js';
import { withSettingsSection } from '../core/settings-document.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import {
  findWorkspace,
  lockWorkspaceSettings,
  updateWorkspaceSettings,
} from '../platform/tenancy/workspaces.repository.js';
import { audit, type Actor } from './audit.service.js';

export async function contentPolicyFor(db: DbOrTrx, workspaceId: string): Promise<ContentPolicy> {
  const ws = await findWorkspace(db, workspaceId);
  return Object.freeze(policyFromSettings(ws?.settings)) as ContentPolicy;
}

/**
 * The policies ingest reads once per batch, kept for a second (a change made on another node
 * applies within that; one made through this object's owner applies at once: changed()). One per
 * runtime (app/runtime.ts).
 */
export class ContentPolicies {
  private cache = new Map<string, { policy: ContentPolicy; at: number }>();
  constructor(private readonly ttlMs = 1000) {}

  async for(db: DbOrTrx, workspaceId: string): Promise<ContentPolicy> {
    const hit = this.cache.get(workspaceId);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.policy;
    const policy = await contentPolicyFor(db, workspaceId);
    this.cache.set(workspaceId, { policy, at: now });
    return policy;
  }

  changed(workspaceId: string): void {
    this.cache.delete(workspaceId);
  }
}

// Changes the policy; the change and its AUDIT_LOG record (settings.changed) commit together.
export async function updateContentPolicy(
  db: Db,
  workspaceId: string,
  patch: unknown,
  actor: Actor,
  policies?: ContentPolicies,
): Promise<ContentPolicy> {
  const policy = await db.transaction().execute(async (trx) => {
    await lockWorkspaceSettings(trx, workspaceId);
    const ws = await findWorkspace(trx, workspaceId);
    if (!ws) throw new StewardError('not_found', `no workspace ${workspaceId}`);
    const before = policyFromSettings(ws.settings);
    const after = mergeContentPolicy(before, patch);
    await updateWorkspaceSettings(trx, workspaceId, withSettingsSection(ws.settings, 'compliance', after));
    await audit(
      trx,
      workspaceId,
      actor,
      'settings.changed',
      { type: 'workspace', id: workspaceId },
      { before: { compliance: before }, after: { compliance: after } },
    );
    return after;
  });
  policies?.changed(workspaceId);
  return policy;
}
