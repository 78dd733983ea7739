// GET .../tools: the request (the Analytics API's parameters) and the row shapes, a Steward addition
// (OpenAI's Codex Analytics API has no tool endpoint).
import { z } from 'zod';
import { analyticsParams, analyticsQuery, pageOf } from './analytics.contract.js';
import { TOOL_GROUPS } from './tools.service.js';

const n = z.number();
const shared = {
  start_time: n.describe('Bucket start, Unix seconds.'),
  end_time: n.describe('Bucket end (exclusive), Unix seconds.'),
  calls: n.describe('Calls whose result arrived (codex.tool_result, or the session file).'),
  succeeded: n,
  failed: n,
  duration_ms: n.describe('Sum of the durations of the timed calls.'),
  timed_calls: n.describe('Calls that reported a duration.'),
  avg_duration_ms: n.nullable().describe('duration_ms / timed_calls, rounded; null without timed calls.'),
  tool_name: z.string().optional().describe('group=tool only ("unknown" when the records named none).'),
  mcp_server: z.string().optional().describe('group=mcp_server only.'),
  decisions: z
    .object({ approved: n, denied: n, aborted: n.describe('Any other decision (abort, timed out).') })
    .optional()
    .describe('group=tool only: approval decisions (codex.tool_decision), counted when they arrive.'),
  decided_by: z
    .object({ user: n, config: n, automated_reviewer: n })
    .optional()
    .describe('group=tool only: who made the decisions.'),
};

export const toolsRoute = {
  summary: 'Tool calls per bucket and tool (group=tool) or per bucket and MCP server (group=mcp_server)',
  description:
    'A call is bucketed by the time of its first record; its decision and result are counted once each, ' +
    'whichever arrives first and from whichever source. MCP rows count only calls an MCP server ran.',
  params: analyticsParams,
  querystring: analyticsQuery(TOOL_GROUPS, 'tool', 'One row per bucket and tool name, or per bucket and MCP server.'),
  page: pageOf(z.object(shared)),
};
