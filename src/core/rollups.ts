// The usage rollup rules: which facts count, and the rollup rows one fact adds to. Pure: no I/O
// (the repository only sorts and upserts the rows; the counterpart of code-review.ts's contribution).
//
// A counted turn adds a turn, a new response a request with its tokens, cost and credits, each to
// eight rollups: user/workspace x client/model x day/week. A thread counts once per day and week in
// the user and workspace client rollups, the first time one of its counted turns lands in the bucket.
import { addCounter } from './bounds.js';
import type { NormalizedEvent } from './events.js';
import { dayOf, weekOfDay } from './time.js';

export const COUNTERS = [
  'threads',
  'turns',
  'requests',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_nusd',
  'credits_n',
] as const;
export type Counter = (typeof COUNTERS)[number];

export type RollupTable =
  | 'usage_user_day'
  | 'usage_user_week'
  | 'usage_user_model_day'
  | 'usage_user_model_week'
  | 'usage_ws_day'
  | 'usage_ws_week'
  | 'usage_ws_model_day'
  | 'usage_ws_model_week';

export const ROLLUP_KEYS: Record<RollupTable, readonly string[]> = {
  usage_user_day: ['workspace_id', 'bucket', 'user_id', 'client_id'],
  usage_user_week: ['workspace_id', 'bucket', 'user_id', 'client_id'],
  usage_user_model_day: ['workspace_id', 'bucket', 'user_id', 'model'],
  usage_user_model_week: ['workspace_id', 'bucket', 'user_id', 'model'],
  usage_ws_day: ['workspace_id', 'bucket', 'client_id'],
  usage_ws_week: ['workspace_id', 'bucket', 'client_id'],
  usage_ws_model_day: ['workspace_id', 'bucket', 'model'],
  usage_ws_model_week: ['workspace_id', 'bucket', 'model'],
};

export type CounterRow = Record<string, string | number>;

// A user's turn counts; a helper thread's (title generation, decisions/0003) costs tokens but is
// no turn, and its thread no thread.
export function countsAsTurn(event: NormalizedEvent): boolean {
  return event.kind === 'turn' && event.threadKind === 'user';
}

// Who and when a fact is: the rollup rows it adds to follow from these.
export interface FactGrain {
  workspaceId: string;
  userId: string;
  clientId: string;
  model: string;
  day: number;
}

export type Contribution = Partial<Record<Counter, number>>;

// Counters as a vector in COUNTERS order: summing a fact into eight rollup rows adds vectors, not
// object properties by name (measured: the named-property form was most of the rollup work of a
// bulk-loaded day).
type Vector = number[];
const INDEX = Object.fromEntries(COUNTERS.map((c, n) => [c, n])) as Record<Counter, number>;
const N = COUNTERS.length;

function vectorOf(c: Contribution): Vector {
  const v = new Array<number>(N).fill(0);
  for (const k in c) v[INDEX[k as Counter]] = c[k as Counter]!;
  return v;
}

function addInto(to: Vector, from: Vector): void {
  for (let n = 0; n < N; n++) if (from[n] !== 0) to[n] = addCounter(to[n]!, from[n]!);
}

const THREAD = vectorOf({ threads: 1 });

/** Sums the contributions of a batch's facts into rollup rows (one per table and key). */
export class RollupDeltas {
  private maps = new Map<RollupTable, Map<string, { key: CounterRow; sums: Vector }>>();
  // Facts of one user, client, model and day (most of a batch: a user's sessions of the last
  // minutes) are summed first and fanned out to their eight rollups once, in rows().
  private perFact = new Map<string, { grain: FactGrain; sums: Vector }>();

  // A counted turn or a new response.
  addFact(grain: FactGrain, counters: Contribution): void {
    const id = `${grain.workspaceId}\u0000${grain.userId}\u0000${grain.clientId}\u0000${grain.model}\u0000${grain.day}`;
    const f = this.perFact.get(id);
    if (!f) this.perFact.set(id, { grain, sums: vectorOf(counters) });
    else
      for (const c in counters)
        f.sums[INDEX[c as Counter]] = addCounter(f.sums[INDEX[c as Counter]]!, counters[c as Counter]!);
  }

  // A thread seen in a day or week bucket for the first time, owned by the user and client of the
  // counted turn that brought it there.
  addThread(grain: 'day' | 'week', bucket: number, owner: Omit<FactGrain, 'model' | 'day'>): void {
    const { workspaceId: ws, userId: user, clientId: client } = owner;
    this.bump(
      `usage_user_${grain}`,
      `${ws}\u0000${bucket}\u0000${user}\u0000${client}`,
      () => ({ workspace_id: ws, bucket, user_id: user, client_id: client }),
      THREAD,
    );
    this.bump(
      `usage_ws_${grain}`,
      `${ws}\u0000${bucket}\u0000${client}`,
      () => ({ workspace_id: ws, bucket, client_id: client }),
      THREAD,
    );
  }

  /** The rows per table, key columns then every counter. */
  rows(): { table: RollupTable; rows: CounterRow[] }[] {
    for (const { grain, sums } of this.perFact.values()) this.fanOut(grain, sums);
    this.perFact.clear();
    return [...this.maps].map(([table, m]) => ({
      table,
      rows: [...m.values()].map(({ key, sums }) => {
        for (let n = 0; n < N; n++) key[COUNTERS[n]!] = sums[n]!;
        return key;
      }),
    }));
  }

  private fanOut(g: FactGrain, sums: Vector): void {
    const { workspaceId: ws, userId: user, clientId: client, model, day } = g;
    const week = weekOfDay(day);
    for (const [grain, bucket] of [
      ['day', day],
      ['week', week],
    ] as const) {
      const at = `${ws}\u0000${bucket}`;
      this.bump(
        `usage_user_${grain}`,
        `${at}\u0000${user}\u0000${client}`,
        () => ({ workspace_id: ws, bucket, user_id: user, client_id: client }),
        sums,
      );
      this.bump(
        `usage_ws_${grain}`,
        `${at}\u0000${client}`,
        () => ({ workspace_id: ws, bucket, client_id: client }),
        sums,
      );
      this.bump(
        `usage_user_model_${grain}`,
        `${at}\u0000${user}\u0000${model}`,
        () => ({ workspace_id: ws, bucket, user_id: user, model }),
        sums,
      );
      this.bump(`usage_ws_model_${grain}`, `${at}\u0000${model}`, () => ({ workspace_id: ws, bucket, model }), sums);
    }
  }

  // The row for `id` (its key's values joined by NUL, in key order) gains `sums`; `key` builds the
  // key columns only when the row is new (this runs eight times per fact).
  private bump(table: RollupTable, id: string, key: () => CounterRow, sums: Vector): void {
    let m = this.maps.get(table);
    if (!m) this.maps.set(table, (m = new Map()));
    const row = m.get(id);
    if (row) addInto(row.sums, sums);
    else m.set(id, { key: key(), sums: sums.slice() });
  }
}

// Skill invocations (decisions/0032): one counter per workspace, bucket, user, skill name and
// scope, day and week; a newly stored codex.skill_invocation adds one to each.
export type SkillRollupTable = 'usage_skill_day' | 'usage_skill_week';
export const SKILL_ROLLUP_KEYS = ['workspace_id', 'bucket', 'user_id', 'skill_name', 'skill_scope'] as const;

export interface SkillInvocation {
  workspaceId: string;
  userId: string;
  ts: number;
  skillName?: string;
  skillScope?: string;
}

/** The rows a batch's new skill invocations add, summed per key, per table. */
export function skillRollupRows(
  invocations: readonly SkillInvocation[],
): { table: SkillRollupTable; rows: CounterRow[] }[] {
  if (!invocations.length) return [];
  const tables = { usage_skill_day: new Map<string, CounterRow>(), usage_skill_week: new Map<string, CounterRow>() };
  for (const i of invocations) {
    const day = dayOf(i.ts);
    const name = i.skillName ?? 'unknown';
    const scope = i.skillScope ?? 'unknown';
    for (const [table, bucket] of [
      ['usage_skill_day', day],
      ['usage_skill_week', weekOfDay(day)],
    ] as const) {
      const id = `${i.workspaceId}\u0000${bucket}\u0000${i.userId}\u0000${name}\u0000${scope}`;
      const m = tables[table];
      const row = m.get(id);
      if (row) row.invocations = (row.invocations as number) + 1;
      else
        m.set(id, {
          workspace_id: i.workspaceId,
          bucket,
          user_id: i.userId,
          skill_name: name,
          skill_scope: scope,
          invocations: 1,
        });
    }
  }
  return Object.entries(tables).map(([table, m]) => ({ table: table as SkillRollupTable, rows: [...m.values()] }));
}
