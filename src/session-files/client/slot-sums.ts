// The usage-only pass's running sums (decision 0054): every file's cached sums are added here as
// they come, per quarter hour x model (and thread, for a report per thread only), instead of one row
// object per file and quarter hour held until the end (58,000 files: the main thread's largest
// cost in memory). Quarter hours, not days: every time zone's offset is a multiple of 15 minutes,
// so the report still buckets them into any zone's days exactly. A reader thread sums its batch the
// same way and hands the block over. Every figure is a sum (a fallback is counted, not or-ed), so
// a file's part can be taken back out exactly: what the files of one thread need, read again
// together at the end. Pure: loaded by the reader threads too.
import type { CachedSums } from './usage-cache-rows.js';
import type { TurnSlotRow, UsageSlotRow } from './usage-report.js';

// slot, model, thread, own thread (byThread only), requests, input, cached, output, reasoning,
// cost (nano USD), fallback rows, first, last
type UsageAcc = [
  number,
  string,
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
type TurnAcc = [number, string, number]; // slot, thread, turns

/** What a reader thread sends of its batch's sums. */
export interface SumsBlock {
  u: UsageAcc[];
  t: TurnAcc[];
}

export class SlotSums {
  private readonly u = new Map<string, UsageAcc>();
  private readonly t = new Map<string, TurnAcc>();

  /**
   * byThread keeps the thread (a report per thread), and then the file's own thread too: only the
   * files of one thread add to a key, so taking them back out leaves it empty, first and last
   * included. Without it first and last are not kept exact (no report per period reads them).
   */
  constructor(readonly byThread: boolean) {}

  /** Adds (sign 1) or takes back (-1) one file's cached sums; `own` is the file's own thread. */
  add(c: CachedSums, own: string | null, sign: 1 | -1 = 1): void {
    for (const x of c.u) {
      const thread = x[2] ?? own ?? '';
      this.addUsage([x[0], x[1], thread, own ?? '', x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], x[11]], sign);
    }
    for (const x of c.t) this.addTurns([x[0], x[1] ?? own ?? '', x[2]], sign);
  }

  addBlock(b: SumsBlock): void {
    for (const x of b.u) this.addUsage(x, 1);
    for (const x of b.t) this.addTurns(x, 1);
  }

  block(): SumsBlock {
    return { u: [...this.u.values()], t: [...this.t.values()] };
  }

  private addUsage(x: UsageAcc, sign: 1 | -1): void {
    const key = this.byThread ? `${x[0]}\u0000${x[1]}\u0000${x[2]}\u0000${x[3]}` : `${x[0]}\u0000${x[1]}`;
    const a = this.u.get(key);
    if (!a) {
      if (sign < 0) throw new Error(`usage sums: nothing to take back at ${key}`);
      const own: UsageAcc = [...x];
      if (!this.byThread) own[2] = own[3] = '';
      this.u.set(key, own);
      return;
    }
    a[4] += sign * x[4];
    a[5] += sign * x[5];
    a[6] += sign * x[6];
    a[7] += sign * x[7];
    a[8] += sign * x[8];
    a[9] += sign * x[9];
    a[10] += sign * x[10];
    if (a[4] === 0) {
      this.u.delete(key); // no request left: the key was only the files taken back
      return;
    }
    if (sign > 0) {
      a[11] = Math.min(a[11], x[11]);
      a[12] = Math.max(a[12], x[12]);
    }
  }

  private addTurns(x: TurnAcc, sign: 1 | -1): void {
    const key = `${x[0]}\u0000${x[1]}`;
    const a = this.t.get(key);
    if (!a) {
      if (sign < 0) throw new Error(`turn sums: nothing to take back at ${key}`);
      this.t.set(key, [...x]);
    } else if ((a[2] += sign * x[2]) === 0) this.t.delete(key);
  }

  /** The sums as the report builder takes them (one row per key; thread '' without byThread). */
  rows(): { usage: UsageSlotRow[]; turns: TurnSlotRow[] } {
    return rowsOf(this.block());
  }
}

/** A block's sums as report rows, with no key made (a repeat's totals, already one row per key). */
export function rowsOf(b: SumsBlock): { usage: UsageSlotRow[]; turns: TurnSlotRow[] } {
  const usage: UsageSlotRow[] = b.u.map((a) => ({
    slot: a[0],
    model: a[1],
    thread_id: a[2],
    requests: a[4],
    input_tokens: a[5],
    cached_input_tokens: a[6],
    output_tokens: a[7],
    reasoning_tokens: a[8],
    cost_nusd: a[9],
    fallback: a[10] > 0 ? 1 : 0,
    first_ts: a[11],
    last_ts: a[12],
  }));
  const turns: TurnSlotRow[] = b.t.map((a) => ({ slot: a[0], thread_id: a[1], turns: a[2] }));
  return { usage, turns };
}
