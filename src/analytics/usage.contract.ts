// GET .../usage: the request and the row shape (OpenAI's Codex usage rows).
import { z } from 'zod';
import { analyticsParams, analyticsQuery, pageOf, READ_REPLICA_NOTE } from './analytics.contract.js';
import { USAGE_GROUPS } from './usage.service.js';

const n = z.number();
const totals = {
  threads: n,
  turns: n,
  model_requests: n,
  credits: n,
  cost_usd: n,
  estimated_cost_usd: n,
  uncached_text_input_tokens: n,
  cached_text_input_tokens: n,
  text_output_tokens: n,
  reasoning_output_tokens: n,
  text_total_tokens: n,
};
const { threads: _t, ...modelTotals } = totals;

const usageRow = z.object({
  object: z.literal('codex.usage'),
  start_time: n.describe('Bucket start, Unix seconds.'),
  end_time: n.describe('Bucket end (exclusive), Unix seconds.'),
  user_id: z.string().optional().describe('group=user only.'),
  actor: z.object({ type: z.literal('user'), user_id: z.string(), email: z.string().nullable() }).optional(),
  email: z
    .string()
    .nullable()
    .optional()
    .describe("null unless emails are shown (analytics.show_emails and the workspace's settings)."),
  teams: z
    .array(z.string())
    .optional()
    .describe('group=user only: the ids of the teams the user is in (a Steward addition).'),
  team_id: z
    .string()
    .optional()
    .describe('group=team only: the team, or "other" for the teams folded by the privacy floor.'),
  team_name: z.string().nullable().optional().describe('group=team only; null for "other".'),
  members: n.optional().describe('group=team only: the team\'s current members (for "other": of the teams folded in).'),

  totals: z.object(totals),
  clients: z.array(z.object({ client_id: z.string(), ...totals })),
  models: z.array(z.object({ model: z.string().describe('A known model, else "other".'), ...modelTotals })),
});

export const usageRoute = {
  summary: 'Usage per user (default), per workspace (group=workspace) or per team (group=team) and bucket',
  description:
    'A member sees only their own user rows (group=workspace and group=team are refused to them). Service ' +
    'identities (keys created with --service) count in workspace totals but have no per-user row and are in ' +
    'no team row. Reading per-user rows appends an AUDIT_LOG record (person_data.viewed) naming the viewer ' +
    'and the users on the page.' +
    READ_REPLICA_NOTE,
  params: analyticsParams,
  querystring: analyticsQuery(
    USAGE_GROUPS,
    'user',
    'One row per user and bucket (user), per bucket (workspace), or per team and bucket (team). A team row ' +
      "is the sum of its members' user rows; a user in several teams counts in each (as GitHub Copilot's " +
      'metrics count them), so team rows may add up to more than the workspace row. Teams of fewer members ' +
      "than the team floor (analytics.min_team_size, default 5, or the workspace's when larger) are folded " +
      'into one team_id "other" row per bucket unless ' +
      'the key has the admin scope. With group=team, limit counts buckets and a page holds whole buckets.',
  ).extend({
    team_id: z
      .string()
      .min(1, { error: 'must not be empty' })
      .optional()
      .describe("A team's id or name: group=user keeps its members' rows, group=team its row only."),
    user_id: z
      .string()
      .min(1, { error: 'must not be empty' })
      .optional()
      .describe("group=user only: one user's rows (a Steward addition, for the dashboard's user page)."),
  }),
  page: pageOf(usageRow),
};
