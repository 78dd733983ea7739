// Every row of an Analytics API endpoint over a window, page after page.
import { call } from '../api.js';
import type { Grain } from './range.js';

export interface Bucketed {
  start_time: number;
  end_time: number;
}

export async function analyticsRows<R extends Bucketed>(
  workspace: string,
  endpoint: string,
  q: { start: number; end: number; grain: Grain; group?: string },
): Promise<R[]> {
  const rows: R[] = [];
  let page: string | null = null;
  do {
    const params = new URLSearchParams({
      start_time: String(q.start),
      end_time: String(q.end),
      group_by: q.grain,
      limit: '30000',
    });
    if (q.group) params.set('group', q.group);
    if (page) params.set('page', page);
    const res: { data: R[]; next_page: string | null; has_more: boolean } = await call(
      `/v1/analytics/codex/workspaces/${encodeURIComponent(workspace)}/${endpoint}?${params}`,
    );
    rows.push(...res.data);
    page = res.has_more ? res.next_page : null;
  } while (page);
  return rows;
}

/** Values of `rows` per bucket of `x` (0 where a bucket has no row), summed by `value`. */
export function perBucket<R extends Bucketed>(rows: R[], x: number[], value: (r: R) => number): number[] {
  const at = new Map(x.map((v, i) => [v, i]));
  const out = x.map(() => 0);
  for (const r of rows) {
    const i = at.get(r.start_time);
    if (i !== undefined) out[i] += value(r);
  }
  return out;
}
