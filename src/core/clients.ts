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

export function surfaceOf(clientId: string): Surface {
  if (clientId === 'CODEX_CLI' || clientId === 'CODEX_SERVICE_EXEC' || clientId === 'CODEX_SDK_TS') return 'cli';
  if (clientId.startsWith('CODEX_IDE_')) return 'ide';
  if (clientId === 'CODEX_DESKTOP_APP' || clientId === 'CODEX_CHATGPT_DESKTOP') return 'desktop';
  if (clientId === 'CODEX_WEB' || clientId === 'CODEX_SLACK' || clientId === 'CODEX_CLOUD_GENERAL_AGENT')
    return 'cloud';
  if (clientId === 'CODEX_GITHUB' || clientId === 'CODEX_GITHUB_ACTION') return 'code_review';
  return 'other';
}
