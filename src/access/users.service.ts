import { StewardError, validationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { ROLES } from '../core/scopes.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import { revokeUserKeys } from './keys.repository.js';
import {
  findUserByEmail,
  findUsers,
  findUserById,
  insertUser,
  listUsers,
  updateUser,
  type UserPageQuery,
} from '../platform/tenancy/users.repository.js';
import type { UserTable } from '../platform/storage/schema.js';
import { audit, auditMany, type Actor } from '../compliance/index.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function addUser(
  db: Db,
  input: { workspaceId: string; email: string; name?: string; role?: string; githubLogin?: string },
  actor: Actor,
): Promise<UserTable> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw validationError('email', `"${input.email}" is not an email address`, 'body');
  const role = input.role ?? 'member';
  if (!(ROLES as readonly string[]).includes(role))
    throw validationError('role', `unknown role "${role}" (one of ${ROLES.join(', ')})`, 'body');
  return db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, input.workspaceId, email))
      throw new StewardError('conflict', `a user with email ${email} already exists`);
    const row: UserTable = {
      id: newId(),
      workspace_id: input.workspaceId,
      email,
      name: input.name ?? null,
      role,
      github_login: input.githubLogin ?? null,
      created_at: Date.now(),
      removed_at: null,
      service: 0,
    };
    await insertUser(trx, row);
    await audit(trx, input.workspaceId, actor, 'user.added', { type: 'user', id: row.id }, { after: row });
    return row;
  });
}

/**
 * Many users at once (steward demo; an import of a directory): the same checks and one user.added
 * record each as addUser, in one transaction, so that 10,000 people are not 10,000 commits.
 */
export async function addUsers(
  db: Db,
  workspaceId: string,
  inputs: readonly { email: string; name?: string; role?: string; githubLogin?: string }[],
  actor: Actor,
): Promise<UserTable[]> {
  const now = Date.now();
  const rows: UserTable[] = inputs.map((input) => {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw validationError('email', `"${input.email}" is not an email address`, 'body');
    const role = input.role ?? 'member';
    if (!(ROLES as readonly string[]).includes(role))
      throw validationError('role', `unknown role "${role}" (one of ${ROLES.join(', ')})`, 'body');
    const github_login = input.githubLogin ?? null;
    return {
      id: newId(),
      workspace_id: workspaceId,
      email,
      name: input.name ?? null,
      role,
      github_login,
      created_at: now,
      removed_at: null,
      service: 0,
    }; // prettier-ignore
  });
  const emails = new Set(rows.map((r) => r.email));
  if (emails.size < rows.length) throw validationError('email', 'the same email is listed twice', 'body');
  return db.transaction().execute(async (trx) => {
    for (const u of await listUsers(trx, workspaceId))
      if (emails.has(u.email)) throw new StewardError('conflict', `a user with email ${u.email} already exists`);
    for (const row of rows) await insertUser(trx, row);
    const entries = rows.map((row) => ({ action: 'user.added', target: { type: 'user', id: row.id }, after: row }));
    await auditMany(trx, workspaceId, actor, entries);
    return rows;
  });
}

// Changes a user's role; the change and its AUDIT_LOG record (user.role_changed) commit together.
export async function changeRole(
  db: Db,
  workspaceId: string,
  email: string,
  role: string,
  actor: Actor,
): Promise<UserTable> {
  if (!(ROLES as readonly string[]).includes(role))
    throw validationError('role', `unknown role "${role}" (one of ${ROLES.join(', ')})`, 'body');
  return db.transaction().execute(async (trx) => {
    const before = await findUserByEmail(trx, workspaceId, email.trim().toLowerCase());
    if (!before) throw new StewardError('not_found', `no user with email ${email}`);
    if (before.role === role) return before;
    await updateUser(trx, before.id, { role });
    const after = { ...before, role };
    await audit(
      trx,
      workspaceId,
      actor,
      'user.role_changed',
      { type: 'user', id: before.id },
      { before: { role: before.role }, after: { role } },
    );
    return after;
  });
}

/** The user with this id in the workspace; another workspace's user is not found either. */
export async function userInWorkspace(db: DbOrTrx, workspaceId: string, id: string): Promise<UserTable> {
  const user = await findUserById(db, id);
  if (!user || user.workspace_id !== workspaceId) throw new StewardError('not_found', `no user with id ${id}`);
  return user;
}

export async function workspaceUsers(db: Db, workspaceId: string): Promise<UserTable[]> {
  return listUsers(db, workspaceId);
}

/** A page of the workspace's users (the admin API's list), with how many match and whether more follow. */
export async function workspaceUserPage(db: Db, workspaceId: string, q: UserPageQuery) {
  const { rows, total } = await findUsers(db, workspaceId, q);
  return { object: 'list' as const, data: rows, total, has_more: q.offset + rows.length < total };
}

/**
 * Removes a user from the workspace: their keys are revoked (refused from now on, as any revoked key),
 * they are listed as removed, and everything the archive holds about them stays (records, facts,
 * usage). One AUDIT_LOG record (user.removed) names the keys it revoked.
 */
export async function removeUser(
  db: Db,
  workspaceId: string,
  email: string,
  actor: Actor,
): Promise<{ user: UserTable; revokedKeys: string[] }> {
  return db.transaction().execute(async (trx) => {
    const before = await findUserByEmail(trx, workspaceId, email.trim().toLowerCase());
    if (!before) throw new StewardError('not_found', `no user with email ${email}`);
    if (before.removed_at !== null) throw new StewardError('conflict', `${before.email} was already removed`);
    const at = Date.now();
    const revokedKeys = await revokeUserKeys(trx, before.id, at);
    await updateUser(trx, before.id, { removed_at: at });
    const user = { ...before, removed_at: at };
    await audit(
      trx,
      workspaceId,
      actor,
      'user.removed',
      { type: 'user', id: before.id },
      { before: { removed_at: null }, after: { removed_at: at, revoked_keys: revokedKeys } },
    );
    return { user, revokedKeys };
  });
}
