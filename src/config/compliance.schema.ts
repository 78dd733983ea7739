import { z } from 'zod';
import { EVENT_TYPES } from '../core/compliance.js';

// [compliance] in steward.toml: signing key for checkpoints, log-file windows, retention per event
// type, and SIEM sinks ([[compliance.sinks]], one table per sink).
const name = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (at most 64)');
const common = {
  name,
  enabled: z.boolean().default(true),
  event_types: z.array(z.enum(EVENT_TYPES)).min(1).optional(), // default: every type
  batch_size: z.coerce.number().int().min(1).max(5000).default(500),
  retry_initial_ms: z.coerce.number().int().min(10).default(1000),
  retry_max_ms: z.coerce.number().int().min(10).default(60_000),
  timeout_ms: z.coerce.number().int().min(100).default(10_000),
};
const tls = {
  ca_file: z.string().min(1).optional(),
  insecure_skip_verify: z.boolean().default(false),
};

export const sinkSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('splunk_hec'),
      ...common,
      ...tls,
      url: z.string().url(),
      token: z.string().min(1),
      index: z.string().optional(),
      source: z.string().default('steward'),
      sourcetype: z.string().default('steward:compliance'),
    })
    .strict(),
  z
    .object({
      type: z.literal('elasticsearch'),
      ...common,
      ...tls,
      url: z.string().url(),
      index: z.string().default('steward-compliance'),
      api_key: z.string().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('syslog'),
      ...common,
      ...tls,
      host: z.string().min(1),
      port: z.coerce.number().int().min(1).max(65535),
      tls: z.boolean().default(false),
      facility: z.coerce.number().int().min(0).max(23).default(13), // 13: log audit
      app_name: z.string().default('steward'),
      hostname: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('webhook'),
      ...common,
      ...tls,
      url: z.string().url(),
      secret: z.string().min(16, 'use at least 16 characters'),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('file'),
      ...common,
      path: z.string().min(1),
      max_bytes: z.coerce
        .number()
        .int()
        .min(1024)
        .default(100 * 1024 * 1024),
      max_files: z.coerce.number().int().min(1).max(1000).default(10),
      fsync: z.boolean().default(true),
    })
    .strict(),
]);
export type SinkConfig = z.infer<typeof sinkSchema>;

export const complianceSchema = z
  .object({
    signing_key: z.string().min(1).optional(), // Ed25519 private key, PKCS#8 PEM
    signing_key_file: z.string().min(1).optional(), // default: <data>/checkpoint-ed25519.pem, made by `serve`
    // The Ed25519 public key (SPKI DER, base64) verify trusts checkpoints from, where the signing
    // key is not at hand (a verifier's machine). Default: the signing key's.
    public_key: z.string().min(1).optional(),
    // Several trusted public keys, for after a key rotation: the old key's checkpoints stay valid.
    // Trusted together with public_key; STEWARD_COMPLIANCE_PUBLIC_KEYS may give them comma-separated.
    public_keys: z
      .preprocess(
        (v) =>
          typeof v === 'string'
            ? v
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : v,
        z.array(z.string().min(1)),
      )
      .optional(),
    // Log files are windows of recorded time; a multiple of 60 s (the log index is per minute).
    log_file_window_seconds: z.coerce
      .number()
      .int()
      .min(60)
      .max(86_400)
      .refine((v) => v % 60 === 0, 'must be a multiple of 60')
      .default(900),
    checkpoint_interval_minutes: z.coerce.number().min(0).default(60), // 0: only on demand; 0.5 = 30 s
    // How often the search indexer looks for records past the index (decisions/0037). 0: never
    // (searches still find everything, scanning the unindexed records a window per page).
    search_index_interval_seconds: z.coerce.number().min(0).default(2),
    // Log-file downloads and API verifications at once; beyond, 429 + Retry-After. On PostgreSQL
    // each holds pooled connections for its whole duration (a download one, a verify two; the pool
    // has 10): unbounded, a reader could leave ingest waiting for a connection.
    max_concurrent_reads: z.coerce.number().int().min(1).max(64).default(3),
    retention: z
      .object({
        codex_log_days: z.coerce.number().int().min(0).default(30), // 0: keep forever
        codex_security_log_days: z.coerce.number().int().min(0).default(400),
        audit_log_days: z.coerce.number().int().min(0).default(400),
        auth_log_days: z.coerce.number().int().min(0).default(400),
        interval_hours: z.coerce.number().min(0).default(24), // 0: only on demand
      })
      .strict()
      .prefault({}),
    sinks: z
      .array(sinkSchema)
      .default([])
      .refine((s) => new Set(s.map((x) => x.name)).size === s.length, 'sink names must be unique'),
  })
  .strict()
  .prefault({});
