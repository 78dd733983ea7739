// The configuration with nothing set: what `configSchema.parse({})` gives, as a plain object, so a
// command run without steward.toml or STEWARD_* variables answers without loading zod (~50 ms of a
// start of ~0.15 s). schema.ts stays the source of truth: config.test.ts checks that this equals
// the schema's parse of {}, so a default changed there and not here fails the tests.
export const CONFIG_DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  data: '.steward',
  database_read_max_lag_seconds: 300,
  database_read_connect_timeout_seconds: 2,
  database_read_retry_seconds: 5,
  sqlite_synchronous: 'normal',
  log_level: 'info',
  analytics: { lookback_days: 90, default_window_days: 30, show_emails: true, min_team_size: 5 },
  pricing: { credits_per_usd: 25 },
  ingest: {
    max_body_bytes: 16777216,
    max_decompressed_bytes: 67108864,
    max_concurrent_batches: 8,
    max_records_per_request: 20000,
    max_lines_per_request: 100000,
  },
  server: {
    max_connections: 900,
    headers_timeout_seconds: 20,
    request_timeout_seconds: 60,
    keep_alive_timeout_seconds: 72,
    max_requests_per_socket: 1000,
    refusal_log_interval_seconds: 10,
    job_history_days: 30,
    job_lease_seconds: 600,
  },
  github: {
    workspace_secrets: {},
    bot_logins: ['chatgpt-codex-connector[bot]'],
    api_base_url: 'https://api.github.com',
    reaction_window_days: 14,
    poll_interval_seconds: 300,
    upvote_reactions: ['+1', 'heart', 'hooray', 'rocket'],
    downvote_reactions: ['-1', 'confused'],
  },
  compliance: {
    log_file_window_seconds: 900,
    checkpoint_interval_minutes: 60,
    search_index_interval_seconds: 2,
    max_concurrent_reads: 3,
    retention: {
      codex_log_days: 30,
      codex_security_log_days: 400,
      audit_log_days: 400,
      auth_log_days: 400,
      interval_hours: 24,
    },
    sinks: [],
  },
  accounts: {
    session_idle_minutes: 60,
    session_absolute_hours: 12,
    link_hours: 24,
    account_free_failures: 5,
    address_free_failures: 20,
    throttle_cap_minutes: 15,
  },
};
