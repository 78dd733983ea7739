// The dashboard's trailing windows (decisions/0042): the last 7, 30 or 90 whole UTC days, today
// included. A window's days before today change only when an event lands late, so their sums are
// kept per person in a base (built once per UTC day for that day, the anchor) and a read adds
// today's day rows. Pure: which windows there are and which base windows a day falls in.
import { surfaceOf } from './clients.js';

export const WINDOW_DAYS = [7, 30, 90] as const;
export type WindowDays = (typeof WINDOW_DAYS)[number];

/** Days before the anchor kept in each person's day mask (bit 0: the day before the anchor). */
export const MASK_DAYS = 62;

/**
 * The bits of a person's mask that a window's base row keeps (decisions/0058): the window's days
 * before the anchor, at most MASK_DAYS - 1 of them, so that with today's bit added it is the day
 * path's mask of at most MASK_DAYS days.
 */
export const windowMaskBits = (w: WindowDays): bigint => (1n << BigInt(Math.min(w, MASK_DAYS) - 1)) - 1n;

export const isWindow = (days: number): days is WindowDays => (WINDOW_DAYS as readonly number[]).includes(days);

/** The base windows of anchor `anchor` whose days before the anchor hold `day`. */
export function windowsHolding(anchor: number, day: number): WindowDays[] {
  if (day >= anchor) return [];
  return WINDOW_DAYS.filter((w) => day >= anchor - w + 1);
}

/** The bit of `day` in the mask of anchor `anchor`, or null when the mask does not reach it. */
export function maskBit(anchor: number, day: number): number | null {
  const bit = anchor - 1 - day;
  return bit >= 0 && bit < MASK_DAYS ? bit : null;
}

// A base is built for the day that has begun on the node that builds it; an ingest node whose
// clock is up to this much behind still treats that day's eve as a past day (windows.repository.ts).
export const CLOCK_SKEW_MS = 5 * 60_000;

type Row = Record<string, string | number>;

/** What a batch's late rows add to the bases: rows for each base table, summed per key, sorted. */
export interface WindowAdditions {
  usage_user_window: Row[];
  usage_user_model_window: Row[];
  user_day_mask: Row[];
  usage_person_window: Row[];
  active_user_surface_window: Row[];
}

/**
 * The base rows that a batch's new day-rollup rows (usage_user_day, usage_user_model_day: what the
 * rollup insert adds) and new active-user day rows add to, for the workspaces whose base is built
 * (`anchors`: workspace -> anchor). Counters are summed per key; masks OR'ed (as decimal strings:
 * 62 bits do not fit a double). Sorted by key, the lock order on PostgreSQL.
 */
export function windowAdditions(
  anchors: ReadonlyMap<string, number>,
  userDay: readonly Row[],
  modelDay: readonly Row[],
  activeDay: readonly Row[],
  counters: readonly string[],
  add: (a: number, b: number) => number,
): WindowAdditions {
  const sums = (rows: readonly Row[], key: 'client_id' | 'model') => {
    const out = new Map<string, Row>();
    for (const r of rows) {
      const anchor = anchors.get(String(r.workspace_id));
      if (anchor === undefined) continue;
      for (const w of windowsHolding(anchor, Number(r.bucket))) {
        const id = `${r.workspace_id}\u0000${w}\u0000${anchor}\u0000${r.user_id}\u0000${r[key]}`;
        let s = out.get(id);
        if (!s) {
          s = { workspace_id: r.workspace_id, window_days: w, anchor, user_id: r.user_id, [key]: r[key] };
          for (const c of counters) s[c] = 0;
          out.set(id, s);
        }
        for (const c of counters) s[c] = add(s[c] as number, Number(r[c] ?? 0));
      }
    }
    return sorted(out);
  };
  const masks = new Map<string, { row: Row; bits: bigint }>();
  const mark = (ws: string, user: string, client: string, model: string, day: number) => {
    const anchor = anchors.get(ws);
    if (anchor === undefined) return;
    const bit = maskBit(anchor, day);
    if (bit === null) return;
    const id = `${ws}\u0000${anchor}\u0000${client}\u0000${model}\u0000${user}`;
    const m = masks.get(id);
    if (m) m.bits |= 1n << BigInt(bit);
    else
      masks.set(id, {
        row: { workspace_id: ws, anchor, client_id: client, model, user_id: user },
        bits: 1n << BigInt(bit),
      });
  };
  // Any client and each client from the active-user set (people only, as the set is); each model
  // from the model rollup's rows with a turn, as the day path reads them.
  for (const r of activeDay) {
    mark(String(r.workspace_id), String(r.user_id), '', '', Number(r.bucket));
    mark(String(r.workspace_id), String(r.user_id), String(r.client_id), '', Number(r.bucket));
  }
  for (const r of modelDay)
    if (Number(r.turns) > 0) mark(String(r.workspace_id), String(r.user_id), '', String(r.model), Number(r.bucket));
  const maskRows = sorted(new Map([...masks].map(([id, m]) => [id, { ...m.row, days: m.bits.toString() }])));

  // Per person and window: every client's counters, and the any-client days the window keeps.
  const people = new Map<string, { row: Row; bits: bigint }>();
  const person = (ws: string, w: WindowDays, anchor: number, user: string) => {
    const id = `${ws}\u0000${w}\u0000${anchor}\u0000${user}`;
    let p = people.get(id);
    if (!p) {
      p = { row: { workspace_id: ws, window_days: w, anchor, user_id: user }, bits: 0n };
      for (const c of counters) p.row[c] = 0;
      people.set(id, p);
    }
    return p;
  };
  for (const r of userDay) {
    const anchor = anchors.get(String(r.workspace_id));
    if (anchor === undefined) continue;
    for (const w of windowsHolding(anchor, Number(r.bucket))) {
      const p = person(String(r.workspace_id), w, anchor, String(r.user_id));
      for (const c of counters) p.row[c] = add(p.row[c] as number, Number(r[c] ?? 0));
    }
  }
  for (const r of activeDay) {
    const anchor = anchors.get(String(r.workspace_id));
    if (anchor === undefined) continue;
    const bit = maskBit(anchor, Number(r.bucket));
    if (bit === null) continue;
    for (const w of windowsHolding(anchor, Number(r.bucket)))
      person(String(r.workspace_id), w, anchor, String(r.user_id)).bits |= (1n << BigInt(bit)) & windowMaskBits(w);
  }
  const personRows = sorted(new Map([...people].map(([id, p]) => [id, { ...p.row, days: p.bits.toString() }])));
  // Per window and surface, the people of the new active-user day rows (a set: once is enough).
  const surfaces = new Map<string, Row>();
  for (const r of activeDay) {
    const anchor = anchors.get(String(r.workspace_id));
    if (anchor === undefined) continue;
    const surface = surfaceOf(String(r.client_id));
    for (const w of windowsHolding(anchor, Number(r.bucket)))
      surfaces.set(`${r.workspace_id}\u0000${w}\u0000${anchor}\u0000${surface}\u0000${r.user_id}`, {
        workspace_id: r.workspace_id,
        window_days: w,
        anchor,
        surface,
        user_id: r.user_id,
      });
  }
  return {
    usage_user_window: sums(userDay, 'client_id'),
    usage_user_model_window: sums(modelDay, 'model'),
    user_day_mask: maskRows,
    usage_person_window: personRows,
    active_user_surface_window: sorted(surfaces),
  };
}

const sorted = (m: Map<string, Row>): Row[] =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
