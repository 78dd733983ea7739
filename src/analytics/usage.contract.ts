// GET .../usage: the request and the row shape (OpenAI's Codex usage rows).
import { z } from 'zod';
import { analyticsParams, analyticsQuery, pageOf } from './analytics.contract.js';
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
  email: z.string().nullable().optional().describe('null unless analytics.show_emails is on.'),
  totals: z.object(totals),
  clients: z.array(z.object({ client_id: z.string(), ...totals })),
  models: z.array(z.object({ model: z.string().describe('A known model, else "other".'), ...modelTotals })),
});

export const usageRoute = {
  summary: 'Usage per user (default) or per workspace (group=workspace) and bucket',
  description: 'A member sees only their own user rows (group=workspace is refused to them).',
  params: analyticsParams,
  querystring: analyticsQuery(USAGE_GROUPS, 'user', 'One row per user and bucket (user) or per bucket (workspace).'),
  page: pageOf(usageRow),
};
