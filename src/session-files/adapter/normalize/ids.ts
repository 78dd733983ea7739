// Ids, labels and integers a session-file line hands the parser, checked against core/bounds.ts before the
// line changes any state (decisions/0012): a line with a 300-character provider or a NUL in its
// thread id is skipped as implausible_value, as OTLP drops such a record, so nothing unbounded
// reaches storage (PostgreSQL text cannot hold NUL) and the rest of the file still lands.
import { idProblem, MAX_INT32 } from '../../../core/bounds.js';
import type { LineFact } from './facts.js';

// Fact fields that become ids, keys or labels of stored events.
const FACT_IDS = [
  'id',
  'turnId',
  'rootTurnId',
  'parentTurnId',
  'threadId',
  'itemThreadId',
  'model',
  'provider',
  'approvalPolicy',
  'sandboxPolicy',
  'responseId',
  'callId',
  'toolName',
  'trigger',
] as const;
// session_meta fields that become the thread's id, its parent, or labels.
const META_IDS = ['id', 'originator', 'model_provider', 'model', 'forked_from_id', 'parent_thread_id'] as const;

const ID_KEYS: ReadonlySet<string> = new Set(FACT_IDS);

/**
 * Does the fact pass every check below? Its own keys walked, not the sixteen looked up: a fact has
 * a few of them, and the lookups of absent keys were most of the check's cost on every decoded line.
 */
function plausible(f: LineFact): boolean {
  const fields = f as unknown as Record<string, unknown>;
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'string') {
      if (ID_KEYS.has(k) && idProblem(k, v)) return false;
    } else if (typeof v === 'number' && (k === 'exitCode' || k === 'durationMs')) {
      if (!Number.isFinite(v) || Math.abs(v) > MAX_INT32 || (k === 'exitCode' && !Number.isInteger(v))) return false;
    }
  }
  if (f.f !== 'session_meta') return true;
  const meta = f.meta as Record<string, unknown>;
  for (const k of META_IDS) {
    const v = meta[k];
    if (typeof v === 'string' && idProblem(k, v)) return false;
  }
  return true;
}

/** Why one of the facts carries an id, label or integer past its bound, or undefined. */
export function factIdProblem(facts: readonly LineFact[]): string | undefined {
  for (const f of facts) if (!plausible(f)) return firstProblem(facts);
  return undefined;
}

/** factIdProblem's answer, the fields in the order of the lists above (the message names the first). */
function firstProblem(facts: readonly LineFact[]): string | undefined {
  for (const f of facts) {
    const fields = f as unknown as Record<string, unknown>;
    for (const k of FACT_IDS) {
      const v = fields[k];
      const p = typeof v === 'string' ? idProblem(k, v) : undefined;
      if (p) return `${f.f}: ${p}`;
    }
    // Stored in 32-bit integer columns on PostgreSQL: an exit code of 2^31 failed the whole upload.
    for (const k of ['exitCode', 'durationMs'] as const) {
      const n = fields[k];
      if (typeof n !== 'number') continue;
      if (!Number.isFinite(n) || Math.abs(n) > MAX_INT32 || (k === 'exitCode' && !Number.isInteger(n)))
        return `${f.f}: ${k} ${n} is not a 32-bit integer`;
    }
    if (f.f === 'session_meta') {
      const meta = f.meta as Record<string, unknown>;
      for (const k of META_IDS) {
        const v = meta[k];
        const p = typeof v === 'string' ? idProblem(k, v) : undefined;
        if (p) return `session_meta: ${p}`;
      }
    }
  }
  return undefined;
}
