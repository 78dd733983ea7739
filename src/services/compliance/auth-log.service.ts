// AUTH_LOG: every failed authentication and every wrong-scope or wrong-workspace attempt, on every
// endpoint, in the chain of the workspace it concerns (the key's; else the one named in the path;
// else the first). A presented secret is never recorded: a known key by id and prefix, an unknown
// one by a short fingerprint of its hash.
//
// Identical failures (same reason, presented key, address, method, route and workspace) are written
// once a minute: the first as it happens, the ones after it within the minute as one record with
// their count and first and last times, when the minute is over (or the server stops). An exporter
// retrying with a revoked key, or someone guessing keys from one address, cannot turn requests into
// a chain write each, and every attempt is still counted.
import { authFailureDraft, type AuthFailureFacts } from '../../core/compliance-records.js';
import type { Db } from '../../storage/database.js';
import { appendRecords } from '../../storage/repositories/compliance-chain.repository.js';
import { findKeyByHash } from '../../storage/repositories/keys.repository.js';
import { findWorkspace, listWorkspaces } from '../../storage/repositories/workspaces.repository.js';
import { hashSecret } from '../keys.service.js';

export interface AuthFailure {
  code: string;
  message: string;
  secret?: string;
  method: string;
  path: string;
  route: string | null;
  requiredScope: string | null;
  requestedWorkspace: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const AUTH_REPEAT_WINDOW_MS = 60_000;
// Identities followed at once; beyond that, failures are recorded one by one (bounded memory).
const MAX_TRACKED = 10_000;

interface Burst {
  facts: AuthFailureFacts; // the recorded failure the repeats are identical to
  workspaceId: string;
  start: number;
  count: number;
  from: number;
  to: number;
}

// One tracker per store, so each server (and each test's server) has its own.
const trackers = new WeakMap<Db, { bursts: Map<string, Burst>; timer: NodeJS.Timeout }>();

export async function recordAuthFailure(db: Db, f: AuthFailure, now = Date.now()): Promise<void> {
  const hash = f.secret ? hashSecret(f.secret) : undefined;
  const identity = [f.code, hash ?? '', f.ip ?? '', f.method, f.route ?? f.path, f.requestedWorkspace ?? ''].join('\u0000');
  const t = tracker(db);
  const burst = t.bursts.get(identity);
  if (burst && now - burst.start < AUTH_REPEAT_WINDOW_MS) {
    if (burst.count === 0) burst.from = now;
    burst.count++;
    burst.to = now;
    return;
  }
  if (burst) {
    await writeRepeats(db, burst);
    t.bursts.delete(identity);
  }
  const key = hash ? await findKeyByHash(db, hash) : undefined;
  let workspaceId = key?.workspace_id;
  if (!workspaceId && f.requestedWorkspace) workspaceId = (await findWorkspace(db, f.requestedWorkspace))?.id;
  workspaceId ??= (await listWorkspaces(db))[0]?.id;
  if (!workspaceId) return; // nothing to attribute to before the first workspace exists
  const facts: AuthFailureFacts = {
    ts: now,
    reason: f.code,
    message: f.message,
    method: f.method,
    path: f.path,
    route: f.route,
    requiredScope: f.requiredScope,
    key: key ? { id: key.id, prefix: key.prefix, user_id: key.user_id, scopes: key.scopes.split(' ').filter(Boolean) } : null,
    keyFingerprint: !key && hash ? `sha256:${hash.slice(0, 16)}` : null,
    ip: f.ip,
    userAgent: f.userAgent,
    requestedWorkspace: f.requestedWorkspace,
  };
  await append(db, workspaceId, facts);
  if (t.bursts.size >= MAX_TRACKED) await flushAuthFailures(db, now, false);
  if (t.bursts.size < MAX_TRACKED) t.bursts.set(identity, { facts, workspaceId, start: now, count: 0, from: now, to: now });
}

/**
 * Writes the repeat summaries of bursts whose minute is over (all of them with `all`, as when the
 * server stops) and forgets those bursts.
 */
export async function flushAuthFailures(db: Db, now = Date.now(), all = true): Promise<void> {
  const t = trackers.get(db);
  if (!t) return;
  for (const [identity, b] of t.bursts) {
    if (!all && now - b.start < AUTH_REPEAT_WINDOW_MS) continue;
    await writeRepeats(db, b); // kept if this fails: the next minute tries again
    t.bursts.delete(identity);
  }
}

/** Flushes everything and stops the minute timer (server shutdown). */
export async function closeAuthFailures(db: Db): Promise<void> {
  const t = trackers.get(db);
  if (!t) return;
  clearInterval(t.timer);
  await flushAuthFailures(db);
  trackers.delete(db);
}

function tracker(db: Db) {
  let t = trackers.get(db);
  if (!t) {
    const timer = setInterval(() => void flushAuthFailures(db, Date.now(), false).catch(() => undefined), AUTH_REPEAT_WINDOW_MS);
    timer.unref();
    t = { bursts: new Map(), timer };
    trackers.set(db, t);
  }
  return t;
}

async function writeRepeats(db: Db, b: Burst): Promise<void> {
  if (b.count === 0) return;
  await append(db, b.workspaceId, { ...b.facts, ts: b.to, repeated: { count: b.count, from: b.from, to: b.to } });
}

async function append(db: Db, workspaceId: string, facts: AuthFailureFacts): Promise<void> {
  await db.transaction().execute((trx) => appendRecords(trx, workspaceId, [authFailureDraft(facts)]));
}
