// AUTH_LOG: every failed authentication and every wrong-scope or wrong-workspace attempt, on every
// endpoint, in the chain of the workspace it concerns (the key's; else the one named in the path;
// else the first). A presented secret is never recorded: a known key by id and prefix, an unknown
// one by a short fingerprint of its hash.
//
// Failures are folded by source address and reason (and the presented key's workspace, when the key
// exists, so that one tenant's attempts never land in another's chain), not by key string: a client
// cycling through distinct bogus bearers or distinct wrong workspace ids is one fold like a client
// retrying one revoked key. Per fold and window, the first failure is written as it happens and the
// ones after it as one record with their count and first and last times when the window is over (or
// the server stops). Every attempt is counted, and the chain grows by at most two records per fold
// and window whatever the request rate.
//
// Memory is bounded: at most `maxFolds` folds are followed at once; when they are all taken, a new
// address folds into one overflow fold per reason and workspace (`ip: null`, `overflow: true`)
// instead of growing the map. Header values stored in a record are cut to `maxHeaderBytes` (512
// bytes by default) with a marker, so a 14 KB User-Agent costs 512 bytes, not 14 KB, per record.
import { authFailureDraft, type AuthFailureFacts } from '../core/compliance-records.js';
import type { Db } from '../platform/storage/database.js';
import type { AuthFailure } from '../core/credentials.js';
import { appendRecords } from '../compliance/index.js';
import { findKeyByHash } from './keys.repository.js';
import { findWorkspace, listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { hashSecret } from './keys.service.js';

export interface AuthFoldOptions {
  windowMs: number;
  maxFolds: number;
  maxHeaderBytes: number;
}

export const AUTH_FOLD_DEFAULTS: AuthFoldOptions = { windowMs: 60_000, maxFolds: 10_000, maxHeaderBytes: 512 };

interface Fold {
  facts: AuthFailureFacts; // the recorded failure the repeats are folded into
  workspaceId: Promise<string | undefined>; // resolved while the first record is written
  start: number;
  count: number;
  otherKeys: number; // repeats that presented another key (or none) than the recorded one
  fingerprint: string;
  from: number;
  to: number;
}

/** Cuts a stored header (or path) value to `max` UTF-8 bytes, on a character boundary, with a marker. */
export function capHeader(value: string | null, max: number): string | null {
  if (value === null) return null;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= max) return value;
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // not inside a multi-byte character
  return `${bytes.subarray(0, end).toString('utf8')}…[truncated ${bytes.length - end} bytes]`;
}

/**
 * One per server, created by whoever builds the app and closed with it (never a module singleton:
 * two apps on one store, as in tests, fold apart).
 */
export class AuthFailureLog {
  readonly options: AuthFoldOptions;
  private readonly folds = new Map<string, Fold>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    options: Partial<AuthFoldOptions> = {},
  ) {
    this.options = { ...AUTH_FOLD_DEFAULTS, ...options };
    this.timer = setInterval(() => void this.flush(Date.now(), false).catch(() => undefined), this.options.windowMs);
    this.timer.unref();
  }

  /** Folds currently followed (bounded by maxFolds plus one overflow fold per reason and workspace). */
  get size(): number {
    return this.folds.size;
  }

  async record(f: AuthFailure, now = Date.now()): Promise<void> {
    const hash = f.secret ? hashSecret(f.secret) : undefined;
    // One indexed read, the same authenticate made: which tenant the attempt concerns.
    const key = hash && !f.keyWorkspace ? await findKeyByHash(this.db, hash) : undefined;
    const keyWorkspace = f.keyWorkspace ?? key?.workspace_id ?? '';
    const fingerprint = hash ?? '';
    let id = [f.code, keyWorkspace, f.ip ?? ''].join('\u0000');
    let fold = this.folds.get(id);
    if (fold && now - fold.start >= this.options.windowMs) {
      this.folds.delete(id);
      await this.writeRepeats([[id, fold]]);
      fold = this.folds.get(id); // a concurrent attempt may have opened the next window meanwhile
    }
    let overflow = false;
    if (!fold && this.folds.size >= this.options.maxFolds) {
      await this.flush(now, false);
      if (this.folds.size >= this.options.maxFolds) {
        overflow = true;
        id = [f.code, keyWorkspace, '\u0001overflow'].join('\u0000');
        fold = this.folds.get(id);
      }
    }
    if (fold) {
      if (fold.count === 0) fold.from = now;
      fold.count++;
      fold.to = now;
      if (fingerprint !== fold.fingerprint) fold.otherKeys++;
      return;
    }
    const max = this.options.maxHeaderBytes;
    const facts: AuthFailureFacts = {
      ts: now,
      reason: f.code,
      message: capHeader(f.message, max)!,
      method: f.method,
      path: capHeader(f.path, max)!,
      route: f.route,
      requiredScope: f.requiredScope,
      key: key
        ? { id: key.id, prefix: key.prefix, user_id: key.user_id, scopes: key.scopes.split(' ').filter(Boolean) }
        : null,
      keyFingerprint: !key && hash ? `sha256:${hash.slice(0, 16)}` : null,
      ...(f.sessionUser ? { userId: f.sessionUser } : {}),
      ip: overflow ? null : f.ip,
      userAgent: capHeader(f.userAgent, max),
      requestedWorkspace: capHeader(f.requestedWorkspace, max),
      ...(overflow ? { overflow: true } : {}),
    };
    // Taken before any await, so concurrent attempts of this fold count into it instead of each
    // writing a first record.
    const workspaceId = this.attribute(keyWorkspace, f.requestedWorkspace);
    this.folds.set(id, { facts, workspaceId, start: now, count: 0, otherKeys: 0, fingerprint, from: now, to: now });
    const ws = await workspaceId;
    if (ws) await this.append(ws, [facts]);
  }

  /**
   * Writes the repeat summaries of folds whose window is over (all of them with `all`, as when the
   * server stops) and forgets those folds; one transaction per workspace.
   */
  async flush(now = Date.now(), all = true): Promise<void> {
    const due: [string, Fold][] = [];
    // The map keeps insertion order, which is the order folds start in (a fold whose write failed
    // goes back at the end and waits one window more): the first fold not due ends the scan, so a
    // full map costs a new distinct attempt O(1), not a walk over 10,000 folds.
    for (const [id, b] of this.folds) {
      if (!all && now - b.start < this.options.windowMs) break;
      due.push([id, b]);
      this.folds.delete(id);
    }
    await this.writeRepeats(due);
  }

  /** Flushes everything and stops the window timer (server shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async attribute(keyWorkspace: string, requested: string | null): Promise<string | undefined> {
    if (keyWorkspace) return keyWorkspace;
    if (requested) {
      const ws = await findWorkspace(this.db, requested);
      if (ws) return ws.id;
    }
    return (await listWorkspaces(this.db))[0]?.id; // nothing to attribute to before the first workspace exists
  }

  // A summary that cannot be written goes back in the map (unless its fold was reopened meanwhile):
  // the next flush tries again, so no counted attempt is dropped by a failed write.
  private async writeRepeats(folds: [string, Fold][]): Promise<void> {
    const byWs = new Map<string, { folds: [string, Fold][]; facts: AuthFailureFacts[] }>();
    for (const [id, b] of folds) {
      if (b.count === 0) continue;
      const ws = await b.workspaceId.catch(() => undefined);
      if (!ws) continue;
      const g = byWs.get(ws) ?? { folds: [], facts: [] };
      g.folds.push([id, b]);
      g.facts.push({
        ...b.facts,
        ts: b.to,
        repeated: { count: b.count, otherKeys: b.otherKeys, from: b.from, to: b.to },
      });
      byWs.set(ws, g);
    }
    let failed: unknown;
    for (const [ws, g] of byWs) {
      try {
        await this.append(ws, g.facts);
      } catch (e) {
        failed ??= e;
        for (const [id, b] of g.folds) if (!this.folds.has(id)) this.folds.set(id, b);
      }
    }
    if (failed) throw failed;
  }

  private async append(workspaceId: string, facts: AuthFailureFacts[]): Promise<void> {
    await this.db.transaction().execute((trx) => appendRecords(trx, workspaceId, facts.map(authFailureDraft)));
  }
}
