// The offline usage report (steward report daily|weekly|monthly|session): model responses of the
// local store summed per local day, ISO week (Monday), month or thread, in a time zone, in the
// shape and with the token semantics of ccusage's JSON (inputTokens = uncached input,
// cacheReadTokens = cached input, reasoning is part of output, totalTokens = input + output).
import { validationError } from '../core/errors.js';
import type { Db } from '../platform/storage/database.js';
import { turnSlots, usageSlots } from './report.repository.js';
import {
  parseReportDate,
  reportFromSlots,
  resolveTimezone,
  type Report,
  type ReportKind,
  type ReportRange,
} from './client/usage-report.js';

export interface ReportOptions extends ReportRange {
  workspaceId: string;
  userId?: string;
}

export async function buildReport(db: Db, kind: ReportKind, opts: ReportOptions): Promise<Report> {
  const since = parseReportDate(opts.since, 'since');
  const until = parseReportDate(opts.until, 'until');
  // A day anywhere on Earth lies within [UTC date - 14 h, UTC date + 38 h).
  const fromTs = since ? Date.parse(`${since}T00:00:00Z`) - 2 * 86_400_000 : 0;
  const toTs = until ? Date.parse(`${until}T00:00:00Z`) + 3 * 86_400_000 : 8.64e15;
  resolveTimezone(opts.timezone);
  if (since && until && since > until) throw validationError('since', `--since ${since} is after --until ${until}`);
  const scope = { workspaceId: opts.workspaceId, userId: opts.userId, fromTs, toTs };
  const [usage, turns] = await Promise.all([usageSlots(db, scope), turnSlots(db, scope)]);
  return reportFromSlots(kind, opts, usage, turns);
}
