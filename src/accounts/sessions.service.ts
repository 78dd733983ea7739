// Browser sessions (decisions/0022, 0025): the cookie carries 256 random bits, the row their
// SHA-256, so a copy of the database opens no session. The CSRF token is derived from the secret
// (nothing more stored) and only the holder of the cookie value can compute it.
import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AuthenticatedSession } from '../core/credentials.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { withoutLockWait } from '../platform/storage/dialect.js';
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionByHash,
  insertSession,
  touchSession,
} from './sessions.repository.js';

const TOUCH_EVERY_MS = 60_000; // the idle expiry moves at most once a minute: one write a minute, not per request
type SessionLimits = Pick<Config['accounts'], 'session_idle_minutes' | 'session_absolute_hours'>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const csrfTokenOf = (secret: string) => sha256(`steward csrf\u0000${secret}`).slice(0, 43);

export interface StartedSession {
  secret: string; // for the cookie only
  sessionId: string;
  csrfToken: string;
  expiresAt: number;
  idleExpiresAt: number;
}

/**
 * Opens a session for a user who proved who they are (a password now; an OIDC callback later), in
 * the caller's transaction so that the AUTH_LOG record of the sign-in lands with it.
 */
export async function startSession(
  db: DbOrTrx,
  user: { id: string; workspaceId: string },
  meta: { ip: string | null; userAgent: string | null },
  limits: SessionLimits,
  now = Date.now(),
): Promise<StartedSession> {
  const secret = randomBytes(32).toString('base64url');
  const row = {
    id: newId(),
    secret_hash: sha256(secret),
    user_id: user.id,
    workspace_id: user.workspaceId,
    created_at: now,
    last_seen_at: now,
    idle_expires_at: now + limits.session_idle_minutes * 60_000,
    expires_at: now + limits.session_absolute_hours * 3_600_000,
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 512) ?? null,
  };
  await deleteExpiredSessions(db, now);
  await insertSession(db, row);
  return {
    secret,
    sessionId: row.id,
    csrfToken: csrfTokenOf(secret),
    expiresAt: row.expires_at,
    idleExpiresAt: row.idle_expires_at,
  };
}

/** The session authenticator platform/http calls for a cookie (one per app, wired by app/). */
export class SessionAuthenticator {
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly limits: SessionLimits,
    private readonly onWriteError: (err: unknown) => void = () => undefined,
  ) {}

  /** Waits for the idle-expiry writes made so far (shutdown, before the store closes). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }

  async authenticate(
    secret: string,
    now = Date.now(),
  ): Promise<AuthenticatedSession & { expiresAt: number; email: string }> {
    const row = await findSessionByHash(this.db, sha256(secret));
    const idle = row ? Number(row.idle_expires_at) : 0;
    const absolute = row ? Number(row.expires_at) : 0;
    if (!row || row.removed_at !== null || idle <= now || absolute <= now) {
      const why = !row ? 'unknown or signed out' : row.removed_at !== null ? 'of a removed user' : 'expired';
      throw new StewardError('invalid_session', `session is ${why}; sign in`);
    }
    if (now - Number(row.last_seen_at) >= TOUCH_EVERY_MS) {
      const idleUntil = Math.min(absolute, now + this.limits.session_idle_minutes * 60_000);
      this.touch(row.id, now, idleUntil);
    }
    return {
      sessionId: row.id,
      workspaceId: row.workspace_id,
      userId: row.user_id,
      role: row.role,
      email: row.email,
      csrfToken: csrfTokenOf(secret),
      expiresAt: absolute,
    };
  }

  // Beside the request, as a key's last use is (access/key-authenticator.ts): on SQLite it does not wait
  // for the ingest writer's lock, and a skipped write is made by the session's next request.
  private touch(id: string, now: number, idleUntil: number): void {
    const p = withoutLockWait(this.db, (conn) => touchSession(conn, id, now, idleUntil)).catch(this.onWriteError);
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p));
  }
}

export async function endSession(db: DbOrTrx, sessionId: string): Promise<boolean> {
  return deleteSession(db, sessionId);
}
