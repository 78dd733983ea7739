// Times are integer epoch milliseconds, days are integer days since 1970-01-01 (UTC) and weeks
// are integer ISO-week numbers (Monday start) so bucket arithmetic is identical on every database.
export const DAY_MS = 86_400_000;

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

// 1970-01-01 was a Thursday; the Monday that starts its ISO week is day -3.
export function weekOfDay(day: number): number {
  return Math.floor((day + 3) / 7);
}

export function weekStartDay(week: number): number {
  return week * 7 - 3;
}

export function weekOf(ms: number): number {
  return weekOfDay(dayOf(ms));
}
