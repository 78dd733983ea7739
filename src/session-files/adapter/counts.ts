// What one upload or import stored, by kind of fact; the server counts and the client adds up.
export interface StoredCounts {
  threads: number;
  turns: number;
  requests: number;
  tools: number;
  duplicates: number;
  content: number;
  // Other Codex events kept (decisions/0024), of them skill invocations and unknown names or types.
  events: number;
  skills: number;
  unknown: number;
}

export const emptyCounts = (): StoredCounts => ({
  threads: 0,
  turns: 0,
  requests: 0,
  tools: 0,
  duplicates: 0,
  content: 0,
  events: 0,
  skills: 0,
  unknown: 0,
});

export function addCounts(a: StoredCounts, b: Partial<StoredCounts>): StoredCounts {
  for (const k of Object.keys(a) as (keyof StoredCounts)[]) a[k] += b[k] ?? 0;
  return a;
}
