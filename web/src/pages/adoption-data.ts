// The adoption page's funnel and first-use bars, from the seat view's figures (GET .../adoption):
// every count is the server's; the page only lays them out.
import type { Adoption, SeatState } from './people-api.js';

export const SEAT_FILTERS: [SeatState, string][] = [
  ['never_active', 'Never active'],
  ['inactive_14', 'Idle 14+ d'],
  ['inactive_30', '30+ d'],
  ['inactive_60', '60+ d'],
  ['active', 'Active'],
  ['all', 'Everyone'],
];

/** Seats → set up (a key or a sign-in) → ever active → active in the last 14 days. */
export function funnel(a: Adoption): { label: string; value: number }[] {
  return [
    { label: 'Seats', value: a.seats },
    { label: 'Set up (key or sign-in)', value: a.set_up },
    { label: 'Ever active', value: a.activated },
    { label: 'Active in the last 14 days', value: a.active_last_14_days },
  ];
}

/** Days to first use in buckets people read at a glance. */
export function firstUseBuckets(a: Adoption): { label: string; value: number }[] {
  const d = a.days_to_first_use;
  return [
    { label: 'Same day', value: d['0'] },
    { label: '1–7 days', value: d['1-7'] },
    { label: '8–30 days', value: d['8-30'] },
    { label: 'Over 30 days', value: d['31+'] },
  ];
}
