// Tool-call rollup reads: keyset pages over tool_calls_day / tool_mcp_day (kept at ingest by
// ingest/tool-events.repository.ts). Only days are stored; a week's row is the sum of its days, the
// week number computed as core/time.ts's weekOfDay does, on both databases alike (integer division).
import { sql } from 'kysely';
import { MCP_COUNTERS, TOOL_COUNTERS } from '../core/tool-rollups.js';
import { weekStartDay } from '../core/time.js';
import type { DbOrTrx } from '../platform/storage/database.js';

export type ToolGroup = 'tool' | 'mcp_server';
export type ToolBucketRow = { bucket: number; name: string } & Record<string, number>;

export async function toolBuckets(
  db: DbOrTrx,
  group: ToolGroup,
  grain: 'day' | 'week',
  ws: string,
  start: number,
  end: number,
  after: { bucket: number; name: string } | null,
  limit: number,
): Promise<ToolBucketRow[]> {
  const table = group === 'tool' ? 'tool_calls_day' : 'tool_mcp_day';
  const name = sql.ref(group === 'tool' ? 'tool_name' : 'mcp_server');
  const counters = group === 'tool' ? TOOL_COUNTERS : MCP_COUNTERS;
  const bucket = grain === 'day' ? sql`bucket` : sql`((bucket + 3) / 7)`;
  const [fromDay, toDay] = grain === 'day' ? [start, end] : [weekStartDay(start), weekStartDay(end)];
  // Day rows are the stored rows (read in primary-key order); week rows sum seven of them.
  const values =
    grain === 'day'
      ? sql.join(counters.map((c) => sql.ref(c)))
      : sql.join(counters.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`));
  const grouped = grain === 'day' ? sql`` : sql`group by ${bucket}, ${name}`;
  const keyset = after ? sql`and (${bucket}, ${name}) > (${after.bucket}, ${after.name})` : sql``;
  const rows = await sql<Record<string, unknown>>`
    select ${bucket} as bucket, ${name} as name, ${values}
    from ${sql.table(table)}
    where workspace_id = ${ws} and bucket >= ${fromDay} and bucket < ${toDay} ${keyset}
    ${grouped}
    order by 1, 2
    limit ${limit}
  `.execute(db);
  return rows.rows.map((r) => {
    const out: Record<string, unknown> = { bucket: Number(r.bucket), name: String(r.name) };
    for (const c of counters) out[c] = Number(r[c]);
    return out as ToolBucketRow;
  });
}
