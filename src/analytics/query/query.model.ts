// The query model behind every dashboard panel (decisions/0033): what may be asked for, and which
// rollup each metric and dimension is read from. Plausible's stats API v2 is the model: a query
// names metrics, dimensions, filters and a date range, and one compiler turns it into SQL.

export const METRICS = [
  'active_users',
  'threads',
  'turns',
  'model_requests',
  'credits',
  'cost_usd',
  'uncached_text_input_tokens',
  'cached_text_input_tokens',
  'text_output_tokens',
  'reasoning_output_tokens',
  'text_total_tokens',
  'current_streak',
] as const;
export type Metric = (typeof METRICS)[number];

export const DIMENSIONS = ['time:day', 'time:week', 'surface', 'client', 'model', 'user', 'team'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
/** A result column: a dimension's name without its time grain. */
export type DimensionColumn = 'time' | 'surface' | 'client' | 'model' | 'user' | 'team';
export const columnOf = (d: Dimension): DimensionColumn => (d.startsWith('time:') ? 'time' : (d as DimensionColumn));

/** Counter metrics and the rollup counters they sum (core/rollups.ts COUNTERS). */
export const COUNTER_METRICS = {
  threads: ['threads'],
  turns: ['turns'],
  model_requests: ['requests'],
  credits: ['credits_n'],
  cost_usd: ['cost_nusd'],
  uncached_text_input_tokens: ['input_tokens', '-cached_input_tokens'],
  cached_text_input_tokens: ['cached_input_tokens'],
  text_output_tokens: ['output_tokens'],
  reasoning_output_tokens: ['reasoning_tokens'],
  text_total_tokens: ['input_tokens', 'output_tokens'],
} as const satisfies Partial<Record<Metric, readonly string[]>>;
export type CounterMetric = keyof typeof COUNTER_METRICS;
export const isCounter = (m: Metric): m is CounterMetric => m in COUNTER_METRICS;

/** Metrics summed from integer nano-units, converted once the SQL has summed them exactly. */
export const NANO_METRICS: ReadonlySet<Metric> = new Set(['credits', 'cost_usd']);

export interface QueryFilters {
  surface?: string[];
  client?: string[];
  model?: string[];
  team_id?: string;
  user_id?: string[];
}

/** A query as the contract parsed it (query.contract.ts). */
export interface QueryInput {
  metrics: Metric[];
  dimensions: Dimension[];
  filters: QueryFilters;
  date_range: string | [string, string];
  order_by?: [string, 'asc' | 'desc'][];
  limit: number;
  offset: number;
  include: { total_rows: boolean };
}

export const QUERY_MAX_LIMIT = 10000;
