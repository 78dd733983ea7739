// A workspace's analytics settings (decisions/0052): read by every route that shows emails or applies
// the team floor, changed by the admin API. A change and its AUDIT_LOG record commit together.
import {
  effectivePrivacy,
  withAnalyticsSettings,
  type AnalyticsSettingsPatch,
  type EffectivePrivacy,
  type ServerPrivacy,
} from '../core/analytics-privacy.js';
import { StewardError } from '../core/errors.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import {
  findWorkspace,
  lockWorkspaceSettings,
  updateWorkspaceSettings,
} from '../platform/tenancy/workspaces.repository.js';
import { audit, type Actor } from '../compliance/index.js';

/**
 * Read from the primary on every request, never cached: a workspace that turns emails off sees
 * them gone from the next read, on every node (a replica's lag could show them again).
 */
export async function analyticsPrivacy(db: DbOrTrx, workspaceId: string, server: ServerPrivacy) {
  return effectivePrivacy(server, (await findWorkspace(db, workspaceId))?.settings);
}

/** The server's value, the workspace's, and the one that applies. */
export function privacyView(server: ServerPrivacy, p: EffectivePrivacy) {
  return {
    server: { show_emails: server.show_emails, min_team_size: server.min_team_size },
    workspace: p.workspace,
    effective: { show_emails: p.showEmails, min_team_size: p.minTeamSize },
    unreadable: p.unreadable,
  };
}

/** Applies the patch (validated by the route's contract); a patch that changes nothing writes nothing. */
export async function updateAnalyticsSettings(
  db: Db,
  workspaceId: string,
  patch: AnalyticsSettingsPatch,
  server: ServerPrivacy,
  actor: Actor,
): Promise<EffectivePrivacy> {
  return db.transaction().execute(async (trx) => {
    await lockWorkspaceSettings(trx, workspaceId);
    const ws = await findWorkspace(trx, workspaceId);
    if (!ws) throw new StewardError('not_found', `no workspace ${workspaceId}`);
    const before = effectivePrivacy(server, ws.settings);
    if (patch.show_emails === undefined && patch.min_team_size === undefined) return before;
    const settings = withAnalyticsSettings(ws.settings, patch);
    const after = effectivePrivacy(server, settings);
    if (JSON.stringify(before) === JSON.stringify(after)) return after;
    await updateWorkspaceSettings(trx, workspaceId, settings);
    const record = (p: EffectivePrivacy) => ({
      analytics: { ...p.workspace, effective: privacyView(server, p).effective },
    });
    await audit(
      trx,
      workspaceId,
      actor,
      'settings.changed',
      { type: 'workspace', id: workspaceId },
      {
        before: record(before),
        after: record(after),
      },
    );
    return after;
  });
}
