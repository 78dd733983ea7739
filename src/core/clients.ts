// Client surface from Codex's `originator` (not the session `source`, which misleads: the 0.169 TUI
// writes source "vscode"). The output is OpenAI's open client_id enum; the raw originator is kept
// alongside wherever it is stored.
export type Surface = 'cli' | 'ide' | 'desktop' | 'cloud' | 'code_review' | 'other';

const BY_ORIGINATOR: Record<string, string> = {
  'codex-tui': 'CODEX_CLI',
  codex_cli_rs: 'CODEX_CLI',
  codex_exec: 'CODEX_SERVICE_EXEC',
  codex_sdk_ts: 'CODEX_SDK_TS',
  codex_vscode: 'CODEX_IDE_VSCODE',
  codex_jetbrains: 'CODEX_IDE_JETBRAINS',
  codex_xcode: 'CODEX_IDE_XCODE',
  'codex desktop': 'CODEX_DESKTOP_APP',
  codex_desktop: 'CODEX_DESKTOP_APP',
  codex_app: 'CODEX_DESKTOP_APP',
  codex_chatgpt_desktop: 'CODEX_CHATGPT_DESKTOP',
  codex_atlas: 'CODEX_CHATGPT_DESKTOP',
  codex_chatgpt_ios_remote: 'CODEX_CHATGPT_DESKTOP',
  codex_chatgpt_android_remote: 'CODEX_CHATGPT_DESKTOP',
  codex_web: 'CODEX_WEB',
  codex_github: 'CODEX_GITHUB',
  codex_slack: 'CODEX_SLACK',
};

export const UNKNOWN_CLIENT = 'CODEX_UNKNOWN_DEFAULT';

export function clientIdFromOriginator(originator: string | undefined | null): string {
  if (!originator) return UNKNOWN_CLIENT;
  const key = originator.trim().toLowerCase();
  const known = BY_ORIGINATOR[key];
  if (known) return known;
  if (key.startsWith('codex desktop') || key.startsWith('codex app')) return 'CODEX_DESKTOP_APP';
  if (key.startsWith('codex_jetbrains') || key.includes('jetbrains')) return 'CODEX_IDE_JETBRAINS';
  return UNKNOWN_CLIENT;
}

// The surface of each client_id, as data: surfaceOf reads it, and the query model's surface
// dimension (analytics/query) compiles the same rules into SQL.
export const SURFACE_RULES: readonly { surface: Surface; clients: readonly string[]; prefix?: string }[] = [
  { surface: 'cli', clients: ['CODEX_CLI', 'CODEX_SERVICE_EXEC', 'CODEX_SDK_TS'] },
  { surface: 'ide', clients: [], prefix: 'CODEX_IDE_' },
  { surface: 'desktop', clients: ['CODEX_DESKTOP_APP', 'CODEX_CHATGPT_DESKTOP'] },
  { surface: 'cloud', clients: ['CODEX_WEB', 'CODEX_SLACK', 'CODEX_CLOUD_GENERAL_AGENT'] },
  { surface: 'code_review', clients: ['CODEX_GITHUB', 'CODEX_GITHUB_ACTION'] },
];

export function surfaceOf(clientId: string): Surface {
  for (const r of SURFACE_RULES)
    if (r.clients.includes(clientId) || (r.prefix !== undefined && clientId.startsWith(r.prefix))) return r.surface;
  return 'other';
}
