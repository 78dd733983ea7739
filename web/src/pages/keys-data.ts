// The keys page's figures and texts: each key's status, the ingest tokens joined to their
// people's activity (from the seat view, read for the tokens on screen), and the [otel] block and collector command a new
// developer pastes, exactly as `steward keys create` and `steward collect` take them.
import type { Key } from './people-api.js';

export const INGEST = 'ingest.write';
export const OTHER_SCOPES: [string, string][] = [
  ['codex.enterprise.analytics.read', 'Analytics read'],
  ['codex.enterprise.compliance.read', 'Compliance read'],
  ['codex.enterprise.compliance.delete', 'Compliance manage'],
  ['admin', 'Admin (every scope)'],
];

export type KeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

export function keyStatus(k: Key, now = Date.now()): KeyStatus {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at && k.expires_at <= now) return 'expired';
  return k.expires_at ? 'rotating' : 'active';
}

export interface TokenLine {
  key: Key;
  status: KeyStatus;
  who: string;
  turns30d: number | null;
  machines: number | null;
}

/** Turns (last 30 days) and machines per person, as the seat view gives them for the rows shown (null: no seat). */
export type PersonFigures = Map<string, { turns30d: number; machines: number } | null>;

export function ingestTokens(keys: Key[], figures: PersonFigures): TokenLine[] {
  return keys
    .filter((k) => k.scopes.includes(INGEST))
    .map((k) => {
      const f = k.user_id ? figures.get(k.user_id) : undefined;
      return {
        key: k,
        status: keyStatus(k),
        who: k.user_id ? (k.user_email ?? k.user_id) : k.shared_collector ? 'shared collector' : '–',
        turns30d: f ? f.turns30d : null,
        machines: f ? f.machines : null,
      };
    });
}

/** The people holding these tokens whose figures are not read yet. */
export const unread = (lines: TokenLine[], figures: PersonFigures) => [
  ...new Set(lines.map((l) => l.key.user_id).filter((u): u is string => !!u && !figures.has(u))),
];

export const otherKeys = (keys: Key[]) => keys.filter((k) => !k.scopes.includes(INGEST));

/** The server address developers send to: public_url, else the address this page came from. */
export const serverUrl = (publicUrl: string | null, origin: string) => (publicUrl ?? origin).replace(/\/$/, '');

/** The block for ~/.codex/config.toml, as `steward keys create` prints it. */
export function otelBlock(url: string, secret: string): string {
  return [
    '[otel]',
    'log_user_prompt = true',
    `exporter = { otlp-http = { endpoint = "${url}/v1/logs", protocol = "binary", ` +
      `headers = { authorization = "Bearer ${secret}" } } }`,
  ].join('\n');
}

/** Session files too (threads the OTLP export misses): the collector, watching ~/.codex/sessions. */
export const collectorCommand = (url: string, secret: string) =>
  `STEWARD_KEY=${secret} steward collect --watch --server ${url}`;
