// A workspace's effective analytics privacy (decisions/0052): the server's [analytics] values,
// narrowed by the workspace's own settings (workspaces.settings, under "analytics"). A workspace may
// hide emails the server shows and raise the team floor, never the reverse. Settings that cannot be
// read fail closed: emails hidden, and every team below the floor (only owners see teams alone).
import { StewardError } from './errors.js';
import { parseSettings, withSettingsSection } from './settings-document.js';

export interface ServerPrivacy {
  show_emails: boolean;
  min_team_size: number;
}

export interface WorkspacePrivacy {
  /** null: not set (the server's value applies). */
  show_emails: boolean | null;
  min_team_size: number | null;
}

export interface EffectivePrivacy {
  showEmails: boolean;
  minTeamSize: number;
  workspace: WorkspacePrivacy;
  /** Stored values that could not be read ('settings': the whole document), each applied closed. */
  unreadable: string[];
}

// No team is this large: a floor that folds every team.
export const CLOSED_TEAM_FLOOR = Number.MAX_SAFE_INTEGER;

export const isTeamFloor = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** The one decision every email and team-floor reader goes through. `json` undefined: no workspace row. */
export function effectivePrivacy(server: ServerPrivacy, json: string | null | undefined): EffectivePrivacy {
  const closed = (unreadable: string[]): EffectivePrivacy => ({
    showEmails: false,
    minTeamSize: CLOSED_TEAM_FLOOR,
    workspace: { show_emails: null, min_team_size: null },
    unreadable,
  });
  if (json === undefined) return closed(['settings']);
  const parsed = parseSettings(json);
  if (!parsed.ok) return closed(['settings']);
  const raw = parsed.doc.analytics ?? {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return closed(['settings']);
  const a = raw as Record<string, unknown>;
  const unreadable: string[] = [];
  const workspace: WorkspacePrivacy = { show_emails: null, min_team_size: null };
  let showEmails = server.show_emails;
  if (typeof a.show_emails === 'boolean') {
    workspace.show_emails = a.show_emails;
    showEmails = server.show_emails && a.show_emails;
  } else if (a.show_emails !== undefined && a.show_emails !== null) {
    unreadable.push('show_emails');
    showEmails = false;
  }
  let minTeamSize = server.min_team_size;
  if (isTeamFloor(a.min_team_size)) {
    workspace.min_team_size = a.min_team_size;
    minTeamSize = Math.max(server.min_team_size, a.min_team_size);
  } else if (a.min_team_size !== undefined && a.min_team_size !== null) {
    unreadable.push('min_team_size');
    minTeamSize = CLOSED_TEAM_FLOOR;
  }
  return { showEmails, minTeamSize, workspace, unreadable };
}

export interface AnalyticsSettingsPatch {
  show_emails?: boolean;
  min_team_size?: number;
}

/**
 * The settings document with the patch applied under "analytics" (other sections kept). A document
 * that cannot be read is replaced: its values were applied closed, and nothing in it can be kept.
 */
export function withAnalyticsSettings(json: string | null | undefined, patch: AnalyticsSettingsPatch): string {
  const parsed = parseSettings(json);
  const prev = parsed.ok ? parsed.doc.analytics : undefined;
  const isSection = prev !== null && typeof prev === 'object' && !Array.isArray(prev);
  // An "analytics" that is not an object is applied closed; replacing it would let unset fields fall
  // back to the server's values (emails shown), so it is refused as an unreadable document is.
  if (prev !== undefined && !isSection)
    throw new StewardError(
      'conflict',
      'the workspace\'s "analytics" settings cannot be read (not an object): repair them first',
    );
  const next: Record<string, unknown> = isSection ? { ...(prev as Record<string, unknown>) } : {};
  if (patch.show_emails !== undefined) next.show_emails = patch.show_emails;
  if (patch.min_team_size !== undefined) next.min_team_size = patch.min_team_size;
  return withSettingsSection(json, 'analytics', next);
}
