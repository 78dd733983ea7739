// What one upload or import stored, by kind of fact; the server counts and the client adds up.
export interface StoredCounts {
  threads: number;
  turns: number;
  requests: number;
  tools: number;
  duplicates: number;
  content: number;
}

export const emptyCounts = (): StoredCounts => ({
  threads: 0,
  turns: 0,
  requests: 0,
  tools: 0,
  duplicates: 0,
  content: 0,
});

export function addCounts(a: StoredCounts, b: Partial<StoredCounts>): StoredCounts {
  for (const k of Object.keys(a) as (keyof StoredCounts)[]) a[k] += b[k] ?? 0;
  return a;
}
