// Compliance integrity and governance routes: verify, checkpoints, legal holds, retention, the
// content policy, SIEM sinks. Reads need compliance.read; changes need compliance.delete.
import { z } from 'zod';
import { CONTENT_FIELDS, CONTENT_MODES } from '../core/content-policy.js';
import { parseTime } from '../core/query-params.js';
import { described, errorResponse, handlerParsed, jsonBody } from '../platform/http/contract.js';
import { workspaceParams } from '../platform/http/query.contract.js';
import { BUSY } from './reads/compliance-logs.contract.js';

const MANAGE = 'Audited (AUDIT_LOG).'; // who may call it: core/authz.ts

// A string field where null or "" mean absent (as the CLI sends them).
const optString = (description: string) =>
  z
    .string()
    .nullish()
    .transform((v) => v || undefined)
    .describe(description);

// A time in a body: Unix seconds (number or string) or ISO 8601; null or "" mean absent.
const bodyTime = (name: string, description: string) =>
  z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v, ctx) => {
      if (v === undefined || v === null || v === '') return undefined;
      try {
        return parseTime(name, String(v));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'must be Unix seconds or an ISO 8601 timestamp',
          params: { type: 'value_error.datetime' },
        });
        return z.NEVER;
      }
    })
    .describe(description);

export const verifyRoute = {
  summary: 'Recompute the hash chain; names the first record that does not match',
  params: workspaceParams,
  response: { 200: described('{ok, records, first_bad: {seq, id, reason, detail} | null, ...}'), ...BUSY },
};
export const checkpointRoute = {
  summary: "A checkpoint of the chain head signed with the server's Ed25519 key",
  params: workspaceParams,
  response: { 200: described('signed checkpoint'), 409: errorResponse('No signing key configured') },
};
export const checkpointsRoute = {
  summary: 'Checkpoints signed periodically by the server',
  params: workspaceParams,
  response: { 200: described('list') },
};
export const holdsRoute = {
  summary: 'Legal holds (active=true: only active ones)',
  params: workspaceParams,
  querystring: z.object({
    active: z
      .string()
      .optional()
      .transform((v) => v === 'true')
      .describe('true: only active holds.'),
  }),
  response: { 200: described('list') },
};
export const placeHoldRoute = {
  summary:
    'Place a legal hold {user?, thread_id?, start_time?, end_time?, reason?}: suspends retention for matching records',
  description: MANAGE,
  params: workspaceParams,
  body: jsonBody(
    z.object({
      user: optString('A user id or email.'),
      user_id: optString('An alias of user.'),
      thread_id: optString('Only this thread.'),
      start_time: bodyTime('start_time', 'Inclusive.'),
      end_time: bodyTime('end_time', 'Exclusive.'),
      reason: optString('Why (the matter); recorded in AUDIT_LOG.'),
    }),
  ),
  response: { 201: described('the hold') },
};
export const releaseHoldRoute = {
  summary: 'Lift a legal hold',
  description: MANAGE,
  params: workspaceParams.extend({ hold_id: z.string() }),
  response: {
    200: described('the released hold'),
    404: errorResponse('Unknown hold'),
    409: errorResponse('Already released'),
  },
};
export const retentionRoute = {
  summary:
    "Run retention now: remove content past each event type's retention (session-file content is " +
    'CODEX_LOG), except held records; hashes stay',
  description: MANAGE,
  params: workspaceParams,
  response: { 200: described('{run_id, cutoffs, purged, partitions_dropped (PostgreSQL: whole days of content)}') },
};
export const policyRoute = {
  summary: 'Content policy: store | hash | redact per field, DLP redaction, allowed sandbox and approval modes',
  params: workspaceParams,
  response: { 200: described('policy') },
};

const mode = z.enum(CONTENT_MODES).optional();
const policyPatch = z.object({
  ...Object.fromEntries(CONTENT_FIELDS.map((f) => [f, mode.describe(`What is kept of ${f.replace('_', ' ')} text.`)])),
  dlp_redact: z.boolean().optional().describe('Replace DLP matches by [REDACTED:rule] in stored content (mode store).'),
  dlp_terms: z
    .array(z.string().min(3).max(200))
    .max(500)
    .optional()
    .describe(
      "The workspace's DLP dictionary (project names, customers): each term is found wherever it " +
        'occurs, in any case, on top of the built-in secret rules; [] clears it.',
    ),
  allowed_sandbox_policies: z.array(z.string()).nullable().optional().describe('null: any.'),
  allowed_approval_policies: z.array(z.string()).nullable().optional().describe('null: any.'),
});
export const updatePolicyRoute = {
  summary: 'Change the content policy (partial update)',
  description: MANAGE,
  params: workspaceParams,
  // Checked by core/content-policy.ts mergeContentPolicy, which also reads the stored settings.
  body: handlerParsed(policyPatch),
  response: { 200: described('policy'), 409: errorResponse("the workspace's settings document cannot be read") },
};
export const sinksRoute = {
  summary: 'SIEM sinks: cursor, lag, delivered and dead-letter counts, last error',
  params: workspaceParams,
  response: { 200: described('list') },
};
