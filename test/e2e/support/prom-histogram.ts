// A histogram read from a /metrics exposition, and its quantiles estimated the way Prometheus's
// histogram_quantile does (linear within the bucket the rank falls in). The load harness uses it to
// set the server's own acknowledgement latency beside the client's: a client's figure includes
// whatever its connection queued before the request reached the server, the server's does not.
// Written here because no Prometheus text parser is among the project's dependencies, and a
// histogram's buckets are all this needs.

export interface PromHistogram {
  /** Cumulative counts by upper bound, ascending, the last one +Inf. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

/** The series of `name` whose labels include every one of `labels` (e.g. `source="otlp"`). */
export function readHistogram(text: string, name: string, labels: Record<string, string>): PromHistogram {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const matches = (set: string) => wanted.every((l) => set.split(',').includes(l));
  const buckets: PromHistogram['buckets'] = [];
  let count = 0;
  let sum = 0;
  for (const m of text.matchAll(/^(\w+)\{([^}]*)\} (\S+)$/gm)) {
    const [, series, set, value] = m as unknown as [string, string, string, string];
    if (!matches(set)) continue;
    if (series === `${name}_bucket`) {
      const le = /(?:^|,)le="([^"]+)"/.exec(set)![1]!;
      buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: Number(value) });
    } else if (series === `${name}_count`) count = Number(value);
    else if (series === `${name}_sum`) sum = Number(value);
  }
  buckets.sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/**
 * The q-quantile's estimate, in the histogram's unit. A rank in the +Inf bucket answers the highest
 * finite bound (what histogram_quantile does): a lower bound of the true figure, flagged by `over`.
 */
export function histogramQuantile(h: PromHistogram, q: number): { value: number; over: boolean } {
  const total = h.buckets.at(-1)?.count ?? 0;
  if (!total) return { value: NaN, over: false };
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return { value: lower, over: true };
      const inBucket = b.count - below;
      return { value: lower + (b.le - lower) * (inBucket ? (rank - below) / inBucket : 0), over: false };
    }
    lower = b.le;
    below = b.count;
  }
  return { value: lower, over: true };
}
