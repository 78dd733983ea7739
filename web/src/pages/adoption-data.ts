// The adoption page's filters and funnel over the seat view (GET .../adoption).
import type { Adoption, Seat } from './people-api.js';

export type SeatFilter = 'all' | 'never' | 'idle14' | 'idle30' | 'idle60';

export function filterSeats(seats: Seat[], f: SeatFilter): Seat[] {
  switch (f) {
    case 'never':
      return seats.filter((s) => s.first_active_at === null && (s.has_key || s.has_sign_in));
    case 'idle14':
    case 'idle30':
    case 'idle60': {
      const days = Number(f.slice(4));
      return seats.filter((s) => s.idle_days !== null && s.idle_days >= days);
    }
    default:
      return seats;
  }
}

/** Seats → set up (a key or a sign-in) → ever active → active in the last 14 days. */
export function funnel(a: Adoption): { label: string; value: number }[] {
  const setUp = a.users.filter((u) => u.has_key || u.has_sign_in).length;
  return [
    { label: 'Seats', value: a.seats },
    { label: 'Set up (key or sign-in)', value: setUp },
    { label: 'Ever active', value: a.activated },
    { label: 'Active in the last 14 days', value: a.active_last_14_days },
  ];
}

/** Days to first use in buckets people read at a glance. */
export function firstUseBuckets(seats: Seat[]): { label: string; value: number }[] {
  const edges: [string, (d: number) => boolean][] = [
    ['Same day', (d) => d === 0],
    ['1–7 days', (d) => d >= 1 && d <= 7],
    ['8–30 days', (d) => d >= 8 && d <= 30],
    ['Over 30 days', (d) => d > 30],
  ];
  const used = seats.filter((s) => s.days_to_first_use !== null).map((s) => s.days_to_first_use!);
  return edges.map(([label, test]) => ({ label, value: used.filter(test).length }));
}
