// GET .../skills: the request and the row shape (a Steward addition beside OpenAI's usage rows).
import { z } from 'zod';
import { analyticsParams, analyticsQuery, pageOf } from './analytics.contract.js';
import { SKILL_GROUPS } from './skills.service.js';

const n = z.number();
const skillRow = z.object({
  object: z.literal('codex.skill_usage'),
  start_time: n.describe('Bucket start, Unix seconds.'),
  end_time: n.describe('Bucket end (exclusive), Unix seconds.'),
  user_id: z.string().optional().describe('group=user only.'),
  actor: z.object({ type: z.literal('user'), user_id: z.string(), email: z.string().nullable() }).optional(),
  email: z
    .string()
    .nullable()
    .optional()
    .describe("null unless emails are shown (analytics.show_emails and the workspace's settings)."),
  invocations: n.describe('Skill invocations in the bucket (the sum of skills[]).'),
  skills: z.array(
    z.object({
      skill_name: z.string().describe('skill.name of codex.skill_invocation ("unknown" when it had none).'),
      scope: z.string().describe('skill.scope: user, repo, system, ...'),
      invocations: n,
    }),
  ),
});

export const skillsRoute = {
  summary: 'Skill invocations per user (default) or per workspace (group=workspace) and bucket',
  description:
    'Counts the codex.skill_invocation events Codex sends over OTLP, by skill name and scope. A member sees ' +
    'only their own rows (group=workspace is refused to them). Service identities count in workspace rows ' +
    'but have no per-user row. Reading per-user rows appends an AUDIT_LOG record (person_data.viewed).',
  params: analyticsParams,
  querystring: analyticsQuery(
    SKILL_GROUPS,
    'user',
    'One row per user and bucket with invocations (user), or per bucket (workspace; limit counts buckets).',
  ),
  page: pageOf(skillRow),
};
