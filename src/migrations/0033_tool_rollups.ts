import { type Kysely, sql } from 'kysely';

// Tool-call rollups for the Analytics API (decisions/0036): per tool name and UTC day, and per MCP
// server and day. Day buckets only: every counter is a sum, so a week is the sum of its seven days
// (read side), where the usage rollups keep weeks because distinct threads and users are no sums.
// tool_events.gained is written by the upsert itself: which parts of the call that statement filled,
// returned to the ingest so each part is counted once without reading the row first.
const TOOL_COUNTERS = [
  'calls',
  'succeeded',
  'failed',
  'duration_ms',
  'timed_calls',
  'approved',
  'denied',
  'aborted',
  'by_user',
  'by_config',
  'by_reviewer',
];
const MCP_COUNTERS = ['calls', 'succeeded', 'failed', 'duration_ms', 'timed_calls'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tool_events')
    .addColumn('gained', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  let tools = db.schema
    .createTable('tool_calls_day')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('tool_name', 'text', (c) => c.notNull());
  for (const col of TOOL_COUNTERS) tools = tools.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0));
  await tools.addPrimaryKeyConstraint('tool_calls_day_pk', ['workspace_id', 'bucket', 'tool_name']).execute();
  let mcp = db.schema
    .createTable('tool_mcp_day')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('mcp_server', 'text', (c) => c.notNull());
  for (const col of MCP_COUNTERS) mcp = mcp.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0));
  await mcp.addPrimaryKeyConstraint('tool_mcp_day_pk', ['workspace_id', 'bucket', 'mcp_server']).execute();

  // The calls stored before this migration, by the same rules as core/tool-rollups.ts. (Their MCP
  // servers are not kept in tool_events: tool_mcp_day starts empty.)
  const decided = (cls: string) => sql.raw(`sum(case when decision is not null and ${cls} then 1 else 0 end)`);
  const src = "replace(lower(coalesce(decision_source, '')), '_', '')";
  const result = 'success is not null or duration_ms is not null';
  await sql`
    insert into tool_calls_day (workspace_id, bucket, tool_name, ${sql.raw(TOOL_COUNTERS.join(', '))})
    select workspace_id, ts / 86400000, coalesce(nullif(tool_name, ''), 'unknown'),
      sum(case when ${sql.raw(result)} then 1 else 0 end),
      sum(case when success = 1 then 1 else 0 end),
      sum(case when success = 0 then 1 else 0 end),
      coalesce(sum(duration_ms), 0),
      sum(case when duration_ms is not null then 1 else 0 end),
      ${decided("lower(decision) like 'approved%'")},
      ${decided("lower(decision) = 'denied'")},
      ${decided("lower(decision) not like 'approved%' and lower(decision) <> 'denied'")},
      ${decided(`${src} = 'user'`)},
      ${decided(`${src} = 'config'`)},
      ${decided(`${src} = 'automatedreviewer'`)}
    from tool_events
    group by workspace_id, ts / 86400000, coalesce(nullif(tool_name, ''), 'unknown')
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tool_mcp_day').execute();
  await db.schema.dropTable('tool_calls_day').execute();
  await db.schema.alterTable('tool_events').dropColumn('gained').execute();
}
