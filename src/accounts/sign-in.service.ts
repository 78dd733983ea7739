// The sign-in use-cases: password sign-in, sign-out, sign-out everywhere, and setting a password
// through a one-time link. Each success writes its AUTH_LOG record in the transaction that changes
// the session rows; failures are thrown for the route, which folds them into AUTH_LOG like refused
// keys (access/auth-log.service.ts).
import type { Config } from '../config/schema.js';
import { authEventDraft, type AuthEventFacts } from '../core/compliance-records.js';
import { StewardError, validationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { checkPassword } from '../core/passwords.js';
import type { Db } from '../platform/storage/database.js';
import { findUserByEmail, findUserById, insertUser } from '../platform/tenancy/users.repository.js';
import { findWorkspace, listWorkspaces } from '../platform/tenancy/workspaces.repository.js';
import { appendRecords, audit } from '../compliance/index.js';
import { deleteUserSessions, findPasswordHash } from './credentials.repository.js';
import { consumeLink, openLink } from './links.service.js';
import { hashPassword, verifyPassword } from './password.service.js';
import { endSession, startSession, type StartedSession } from './sessions.service.js';
import { storePassword } from './set-password.service.js';
import { checkThrottle, clearAccountThrottle, recordFailure, throttleSubjects } from './throttle.service.js';

// Verified when the email is unknown or has no password, so both answers cost one argon2 verification.
const DUMMY_HASH = '$argon2id$v=19$m=65536,t=2,p=1$P1D+jJjmuJHlMhX/0lRXqg$qYBZgkHsfApAzPUcHwynoMnJxn/rRaGnjbnAvklHwwE';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** What a refused sign-in tells the route for its AUTH_LOG record. */
export class SignInRefused extends Error {
  constructor(
    readonly error: StewardError,
    readonly workspaceId: string | undefined,
    readonly userId: string | undefined,
  ) {
    super(error.message);
  }
}

const record = (db: Db | Parameters<typeof appendRecords>[0], ws: string, f: AuthEventFacts) =>
  appendRecords(db, ws, [authEventDraft(f)]);

async function signInWorkspace(db: Db, requested: string | undefined): Promise<string> {
  if (requested) {
    const ws = await findWorkspace(db, requested);
    if (!ws) throw validationError('workspace', `no workspace ${requested}`, 'body');
    return ws.id;
  }
  const all = await listWorkspaces(db);
  if (all.length === 1) return all[0].id;
  throw validationError('workspace', 'is required: this server has several workspaces', 'body');
}

export async function signIn(
  db: Db,
  input: { email: string; password: string; workspace?: string },
  meta: RequestMeta,
  cfg: Config['accounts'],
  now = Date.now(),
): Promise<StartedSession & { userId: string; workspaceId: string; role: string; email: string }> {
  const workspaceId = await signInWorkspace(db, input.workspace);
  const email = input.email.trim().toLowerCase();
  const subjects = throttleSubjects(workspaceId, email, meta.ip);
  const user = await findUserByEmail(db, workspaceId, email);
  try {
    await checkThrottle(db, subjects, now);
  } catch (e) {
    throw new SignInRefused(e as StewardError, workspaceId, user?.id);
  }
  const hash = user && user.removed_at === null ? await findPasswordHash(db, user.id) : undefined;
  const ok = (await verifyPassword(hash ?? DUMMY_HASH, input.password)) && hash !== undefined;
  if (!ok || !user) {
    await recordFailure(db, subjects, cfg, now);
    throw new SignInRefused(new StewardError('invalid_credentials'), workspaceId, user?.id);
  }
  return db.transaction().execute(async (trx) => {
    await clearAccountThrottle(trx, subjects);
    const s = await startSession(trx, { id: user.id, workspaceId }, meta, cfg, now);
    await record(trx, workspaceId, { ts: now, event: 'sign_in', userId: user.id, sessionId: s.sessionId, ...meta });
    return { ...s, userId: user.id, workspaceId, role: user.role, email: user.email };
  });
}

export async function signOut(
  db: Db,
  s: { sessionId: string; userId: string; workspaceId: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (await endSession(trx, s.sessionId))
      await record(trx, s.workspaceId, {
        ts: now,
        event: 'sign_out',
        userId: s.userId,
        sessionId: s.sessionId,
        ...meta,
      });
  });
}

export async function signOutEverywhere(
  db: Db,
  s: { sessionId: string; userId: string; workspaceId: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const sessionsEnded = await deleteUserSessions(trx, s.userId);
    const facts = { ts: now, userId: s.userId, sessionId: s.sessionId, sessionsEnded, ...meta };
    await record(trx, s.workspaceId, { ...facts, event: 'sign_out_everywhere' });
    return sessionsEnded;
  });
}

/**
 * POST /auth/set-password: a reset link sets its user's password; the setup link makes the first
 * owner (or gives an existing owner without a password theirs). The link is used in the transaction
 * that stores the password, so a link used twice at once sets it once.
 */
export async function setPasswordWithLink(
  db: Db,
  input: { token: string; password: string; email?: string; name?: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ userId: string; workspaceId: string; email: string; sessionsEnded: number }> {
  const link = await openLink(db, input.token, now);
  const ws = link.workspace_id;
  let user = link.user_id ? await findUserById(db, link.user_id) : undefined;
  if (link.purpose === 'setup') {
    if (!input.email) throw validationError('email', 'is required: the setup link makes the first owner', 'body');
    user = await findUserByEmail(db, ws, input.email.trim().toLowerCase());
    if (user && user.role !== 'owner') throw new StewardError('conflict', `${user.email} exists and is not an owner`);
  }
  if (link.purpose === 'reset' && (!user || user.removed_at !== null)) throw new StewardError('invalid_link');
  const email = user?.email ?? input.email!.trim().toLowerCase();
  if (!user && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw validationError('email', `"${input.email}" is not an email address`, 'body');
  const hash = await hashPassword(checkPassword(input.password, email));
  return db.transaction().execute(async (trx) => {
    await consumeLink(trx, input.token, now);
    let id = user?.id;
    if (!id) {
      id = newId();
      const row = { id, workspace_id: ws, email, name: input.name ?? null, role: 'owner', github_login: null };
      await insertUser(trx, { ...row, created_at: now, removed_at: null, service: 0 });
      await audit(trx, ws, { type: 'user', id }, 'user.added', { type: 'user', id }, { after: row });
    }
    const sessionsEnded = await storePassword(trx, ws, id, hash, { type: 'user', id });
    await record(trx, ws, {
      ts: now,
      event: 'password_set',
      userId: id,
      sessionId: null,
      linkId: link.id,
      sessionsEnded,
      ...meta,
    });
    return { userId: id, workspaceId: ws, email, sessionsEnded };
  });
}

/** The signed-in user's email, for GET /auth/session (the session row carries only the id). */
export async function sessionEmail(db: Db, userId: string): Promise<string> {
  return (await findUserById(db, userId))?.email ?? '';
}
