// GET .../tools: tool calls per bucket and tool name (group=tool, the default) or per bucket and
// MCP server (group=mcp_server), read from the tool rollups only.
import type { Db } from '../platform/storage/database.js';
import { encodeCursor } from '../core/query-params.js';
import { bucketEndMs, bucketStartMs, type AnalyticsQuery } from './params.js';
import { toolBuckets, type ToolBucketRow, type ToolGroup } from './tools.repository.js';
import type { Page } from './usage.service.js';

export const TOOL_GROUPS = ['tool', 'mcp_server'] as const;
export const toolCursorKeys = () => ['b', 'n'];

const avg = (r: ToolBucketRow) => (r.timed_calls ? Math.round(r.duration_ms / r.timed_calls) : null);

function toolRow(r: ToolBucketRow) {
  return {
    tool_name: r.name,
    calls: r.calls,
    succeeded: r.succeeded,
    failed: r.failed,
    duration_ms: r.duration_ms,
    timed_calls: r.timed_calls,
    avg_duration_ms: avg(r),
    decisions: { approved: r.approved, denied: r.denied, aborted: r.aborted },
    decided_by: { user: r.by_user, config: r.by_config, automated_reviewer: r.by_reviewer },
  };
}

function mcpRow(r: ToolBucketRow) {
  return {
    mcp_server: r.name,
    calls: r.calls,
    succeeded: r.succeeded,
    failed: r.failed,
    duration_ms: r.duration_ms,
    timed_calls: r.timed_calls,
    avg_duration_ms: avg(r),
  };
}

export async function toolsPage(
  db: Db,
  workspaceId: string,
  q: AnalyticsQuery,
): Promise<Page<Record<string, unknown>>> {
  const group = q.group as ToolGroup;
  const after = q.cursor ? { bucket: Number(q.cursor.b), name: String(q.cursor.n) } : null;
  const rows = await toolBuckets(db, group, q.grain, workspaceId, q.startBucket, q.endBucket, after, q.limit + 1);
  const hasMore = rows.length > q.limit;
  const data = rows.slice(0, q.limit);
  const last = data[data.length - 1];
  return {
    object: 'page',
    data: data.map((r) => ({
      start_time: bucketStartMs(q.grain, r.bucket) / 1000,
      end_time: bucketEndMs(q.grain, r.bucket) / 1000,
      ...(group === 'tool' ? toolRow(r) : mcpRow(r)),
    })),
    has_more: hasMore,
    next_page: hasMore ? encodeCursor({ g: q.grain, b: last.bucket, n: last.name }) : null,
  };
}
