// What every handler works on: the parse of one file (its state record, stats and the records it
// has produced but not yet handed out), and the plumbing to emit events and content records.
import type { RawLine } from '../decode.js';
import type {
  RolloutContent,
  RolloutStats,
  RolloutContentBody,
  RolloutEvent,
  RolloutEventExtras,
  RolloutRecord,
  SkipReason,
} from '../types.js';
import { type PendingRef, MAX_REMEMBERED } from './state.js';
import type { ParserState } from './state.js';

const MAX_SKIP_RECORDS = 1000;
// Type names come from the file: a bound on how many distinct ones a read names.
export const MAX_UNKNOWN_TYPES = 50;

/** One file's parse, as the handlers see it (the RolloutParser is one). */
export interface Parse {
  readonly st: ParserState;
  readonly stats: RolloutStats;
  out: RolloutRecord[];
  readonly withContent: boolean;
  readonly toParent: boolean;
}

export interface LineCtx {
  raw: RawLine;
  ts: number;
  ordinal?: number;
  truncated?: boolean;
}

export type ContentExtra = Partial<Pick<RolloutContent, 'turnId' | 'inherited' | 'foreignThreadId'>>;

// What most lines produce: nothing. One frozen array instead of a new one per line.
const NOTHING: readonly RolloutRecord[] = Object.freeze([]);

export function drain(p: Parse): readonly RolloutRecord[] {
  const o = p.out;
  if (o.length === 0) return NOTHING;
  p.out = [];
  return o;
}

export function skip(p: Parse, raw: RawLine, reason: SkipReason, detail?: string, recovered?: boolean): void {
  p.stats.skippedCount++;
  p.stats.skippedByReason[reason] = (p.stats.skippedByReason[reason] ?? 0) + 1;
  if (p.stats.skipped.length < MAX_SKIP_RECORDS)
    p.stats.skipped.push({
      line: raw.lineNo,
      offset: raw.offset,
      bytes: raw.bytes,
      reason,
      detail,
      ...(recovered ? { recovered } : {}),
    });
}

export function countUnknown(p: Parse, type: string): void {
  p.stats.unknownLines++;
  const by = p.stats.unknownTypes;
  let name = type === '__proto__' ? '(__proto__)' : type.slice(0, 80);
  if (!Object.hasOwn(by, name) && Object.keys(by).length >= MAX_UNKNOWN_TYPES) name = '(more)';
  by[name] = (by[name] ?? 0) + 1;
}

export function remember(set: Set<string>, v: string): void {
  set.add(v);
  if (set.size > MAX_REMEMBERED) set.delete(set.values().next().value as string);
}

export function ownId(p: Parse): string {
  return p.st.thread?.threadId ?? '';
}

/** Sub-agent and title threads roll up into their parent (spec §8 "Threads"). */
export function attributedId(p: Parse): string {
  const t = p.st.thread;
  if (t && p.toParent && t.kind !== 'user' && t.parentThreadId) return t.parentThreadId;
  return ownId(p);
}

export function disc(p: Parse, ctx: LineCtx): string {
  return ctx.ordinal !== undefined ? `${ownId(p)}:${ctx.ordinal}` : `${ownId(p)}@${ctx.raw.offset}`;
}

export function ref(p: Parse, ctx: LineCtx): PendingRef {
  return { ts: ctx.ts, line: ctx.raw.lineNo, offset: ctx.raw.offset, ordinal: ctx.ordinal, disc: disc(p, ctx) };
}

export function extras(p: Parse, r: PendingRef): RolloutEventExtras {
  const attributed = attributedId(p);
  return {
    discriminator: r.disc,
    sourceThreadId: ownId(p),
    ...(attributed !== ownId(p) ? { childThreadId: ownId(p) } : {}),
    line: r.line,
    offset: r.offset,
    ...(r.ordinal !== undefined ? { ordinal: r.ordinal } : {}),
  };
}

/**
 * extras() written onto `e` in the same order, for the events every usage-only read makes (a
 * response per token line, a turn per prompt): no object to spread, and none spread into it.
 */
export function addExtras(p: Parse, r: PendingRef, e: RolloutEventExtras): void {
  const own = ownId(p);
  e.discriminator = r.disc;
  e.sourceThreadId = own;
  if (attributedId(p) !== own) e.childThreadId = own;
  e.line = r.line;
  e.offset = r.offset;
  if (r.ordinal !== undefined) e.ordinal = r.ordinal;
}

export function event(p: Parse, e: RolloutEvent): void {
  p.out.push({ type: 'event', event: e });
}

/**
 * A content record, when the read makes them. The handlers of lines the usage-only mode decodes
 * call it behind `if (p.withContent)`, so that mode does not even build the body (decision 0060).
 */
export function content(p: Parse, ctx: LineCtx, body: RolloutContentBody, extra: ContentExtra = {}): void {
  if (!p.withContent) return;
  const c = {
    threadId: ownId(p),
    attributedThreadId: attributedId(p),
    ts: ctx.ts,
    line: ctx.raw.lineNo,
    offset: ctx.raw.offset,
    ...(ctx.ordinal !== undefined ? { ordinal: ctx.ordinal } : {}),
    discriminator: disc(p, ctx),
    ...(ctx.truncated ? { truncated: true } : {}),
    ...body,
    ...extra,
  } as RolloutContent;
  if (c.turnId === undefined) delete c.turnId;
  p.out.push({ type: 'content', content: c });
}
