import { z } from 'zod';
import { MAX_CREDITS_PER_USD } from '../core/bounds.js';
import { accountsSchema } from './accounts.schema.js';
import { complianceSchema } from './compliance.schema.js';
import { flag, secretMap } from './values.js';

// A list of GitHub reaction contents; STEWARD_GITHUB_*_REACTIONS may give it comma-separated.
const reactionList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(1)),
);

// The whole configuration, validated once at start. Unknown keys are rejected so a typo in
// steward.toml fails fast with its name instead of being silently ignored.
export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8787),
    data: z.string().min(1).default('.steward'),
    database_url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    // A streaming replica of database_url for the Analytics API (and so the dashboard); writes and
    // compliance reads stay on the primary. Responses say the replica's lag (decisions/0040).
    database_read_url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    // /readyz reports the replica as lagging beyond this (0: never); it stays ready either way, as it
    // does when the replica cannot be reached (decisions/0051).
    database_read_max_lag_seconds: z.coerce.number().min(0).default(300),
    // A replica that cannot be reached (refused, or no connection within the timeout): analytics
    // reads go to the primary, and the replica is tried again after database_read_retry_seconds.
    database_read_connect_timeout_seconds: z.coerce.number().positive().default(2),
    database_read_retry_seconds: z.coerce.number().positive().default(5),
    // Embedded store only: 'full' makes an acknowledged commit survive a power loss as well as a
    // process kill, at a measured ingest cost (BENCHMARKS.md, decisions/0013).
    sqlite_synchronous: z.enum(['normal', 'full']).default('normal'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    public_url: z.string().url().optional(),
    analytics: z
      .object({
        lookback_days: z.coerce.number().int().min(1).max(3650).default(90),
        default_window_days: z.coerce.number().int().min(1).max(3650).default(30),
        show_emails: flag.default(true),
        // Team breakdowns of fewer members fold into one "other" row for keys without admin (0026).
        min_team_size: z.coerce.number().int().min(1).max(10000).default(5),
      })
      .strict()
      .default({ lookback_days: 90, default_window_days: 30, show_emails: true, min_team_size: 5 }),
    pricing: z
      .object({
        // Bounded so one response's credits stay an exact integer (core/bounds.ts, decisions/0012).
        credits_per_usd: z.coerce.number().positive().max(MAX_CREDITS_PER_USD).default(25),
      })
      .strict()
      .default({ credits_per_usd: 25 }),
    ingest: z
      .object({
        max_body_bytes: z.coerce
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024),
        max_decompressed_bytes: z.coerce
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024),
        max_concurrent_batches: z.coerce.number().int().positive().default(8),
        // Log records per OTLP request and lines per session-file upload: more is a 413 naming the
        // limit, found while decoding, before anything is built for the records (decisions/0028).
        max_records_per_request: z.coerce.number().int().positive().default(20_000),
        max_lines_per_request: z.coerce.number().int().positive().default(100_000),
      })
      .strict()
      .default({
        max_body_bytes: 16 * 1024 * 1024,
        max_decompressed_bytes: 64 * 1024 * 1024,
        max_concurrent_batches: 8,
        max_records_per_request: 20_000,
        max_lines_per_request: 100_000,
      }),
    // Connection-level bounds of the HTTP server (decisions/0028): what a slow or idle client may hold.
    server: z
      .object({
        // Open connections at once; one more is closed on accept. Keep it below the process's file
        // descriptor limit (ulimit -n) minus what the database and logs need.
        max_connections: z.coerce.number().int().positive().default(900),
        // The request line and headers must arrive within this; the whole request (body too) within
        // request_timeout_seconds, else 408 and the connection is closed.
        headers_timeout_seconds: z.coerce.number().positive().default(20),
        request_timeout_seconds: z.coerce.number().positive().default(60),
        // An idle keep-alive connection is closed after this; a connection serves at most
        // max_requests_per_socket requests (0 = no limit).
        keep_alive_timeout_seconds: z.coerce.number().positive().default(72),
        max_requests_per_socket: z.coerce.number().int().min(0).default(1000),
        // Refused requests (429, 401, 413 … on headers) are logged as one summary line per interval.
        refusal_log_interval_seconds: z.coerce.number().positive().default(10),
        // Background jobs' runs (job_runs: which node ran retention or a checkpoint, when, with what
        // result) are kept this long, then pruned by the node that runs the job (decisions/0046).
        job_history_days: z.coerce.number().positive().default(30),
        // A periodic job's run (retention, checkpoints, partitions, the windows' base) holds a lease its
        // node renews every third of it; a run unrenewed past it (its node died) is taken over by
        // another node (decisions/0062). Shorter: a dead node's run resumes sooner, but an event loop
        // stalled longer than the lease lets a second node run the period beside it.
        job_lease_seconds: z.coerce.number().min(1).default(600),
        // GET /metrics needs `Authorization: Bearer <token>` when this is the token's SHA-256 (hex);
        // open to anyone who reaches the port otherwise. `printf %s "$TOKEN" | sha256sum`.
        metrics_token_sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in hex (64 lowercase hex digits)' })
          .optional(),
      })
      .strict()
      .refine((s) => s.headers_timeout_seconds <= s.request_timeout_seconds, {
        message: 'headers_timeout_seconds must not exceed request_timeout_seconds',
      })
      .default({
        max_connections: 900,
        headers_timeout_seconds: 20,
        request_timeout_seconds: 60,
        keep_alive_timeout_seconds: 72,
        max_requests_per_socket: 1000,
        refusal_log_interval_seconds: 10,
        job_history_days: 30,
        job_lease_seconds: 600,
      }),
    github: z
      .object({
        // Binds the default workspace only; every other workspace needs its own entry below.
        webhook_secret: z.string().min(1).optional(),
        // Per-workspace webhook secrets ([github.workspace_secrets] id = "secret"); a delivery writes
        // into a workspace only when signed with that workspace's secret (decisions/0004).
        workspace_secrets: secretMap.default({}),
        bot_logins: z.array(z.string().min(1)).default(['chatgpt-codex-connector[bot]']),
        api_base_url: z.string().url().default('https://api.github.com'),
        token: z.string().min(1).optional(),
        reaction_window_days: z.coerce.number().int().min(0).default(14),
        poll_interval_seconds: z.coerce.number().int().min(0).default(300),
        // Reaction contents counted as upvotes / downvotes; every other reaction is "other".
        upvote_reactions: reactionList.default(['+1', 'heart', 'hooray', 'rocket']),
        downvote_reactions: reactionList.default(['-1', 'confused']),
      })
      .strict()
      .default({
        workspace_secrets: {},
        bot_logins: ['chatgpt-codex-connector[bot]'],
        api_base_url: 'https://api.github.com',
        reaction_window_days: 14,
        poll_interval_seconds: 300,
        upvote_reactions: ['+1', 'heart', 'hooray', 'rocket'],
        downvote_reactions: ['-1', 'confused'],
      }),
    compliance: complianceSchema,
    accounts: accountsSchema,
  })
  .strict()
  // The OIDC redirect URL is derived from public_url: without it the provider has nowhere to send people back.
  .refine((c) => !c.accounts.oidc || c.public_url, {
    message: 'is required when [accounts.oidc] is set (the redirect URL is public_url + /auth/oidc/callback)',
    path: ['public_url'],
  })
  .refine((c) => !c.database_read_url || c.database_url, {
    message: 'needs database_url (the primary the replica follows)',
    path: ['database_read_url'],
  });

export type Config = Readonly<z.infer<typeof configSchema>>;
