// Teams: named groups of a workspace's users (a user may be in several), managed by the CLI and the
// admin API. Every change and its AUDIT_LOG record commit together.
import { StewardError, validationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Db, DbOrTrx } from '../platform/storage/database.js';
import type { TeamTable } from '../platform/storage/schema.js';
import {
  deleteMember,
  deleteTeamRow,
  findTeam,
  insertMember,
  insertTeam,
  listTeamsWithSizes,
  teamMembers,
} from '../platform/tenancy/teams.repository.js';
import { findUserByEmail, findUserById, findUsersByIds } from '../platform/tenancy/users.repository.js';
import { audit, auditMany, type Actor } from '../compliance/index.js';

export interface TeamView {
  id: string;
  name: string;
  created_at: number;
  members: number;
}

const MAX_NAME = 100;
// "other" is the row small teams fold into (analytics): a team of that name would be ambiguous.
const RESERVED = new Set(['other']);

function teamName(raw: string): string {
  const name = raw.trim();
  if (!name || name.length > MAX_NAME) throw validationError('name', `must be 1 to ${MAX_NAME} characters`, 'body');
  if (RESERVED.has(name.toLowerCase())) throw validationError('name', `"${name}" is reserved`, 'body');
  return name;
}

const view = (t: TeamTable, members: number): TeamView => ({
  id: t.id,
  name: t.name,
  created_at: Number(t.created_at),
  members,
});

async function teamOrThrow(db: Db, workspaceId: string, ref: string): Promise<TeamTable> {
  const t = await findTeam(db, workspaceId, ref);
  if (!t) throw new StewardError('not_found', `no team ${ref}`);
  return t;
}

export async function createTeam(db: Db, workspaceId: string, rawName: string, actor: Actor): Promise<TeamView> {
  const name = teamName(rawName);
  return db.transaction().execute(async (trx) => {
    if (await findTeam(trx, workspaceId, name))
      throw new StewardError('conflict', `a team named ${name} already exists`);
    const row: TeamTable = { id: newId(), workspace_id: workspaceId, name, created_at: Date.now() };
    await insertTeam(trx, row);
    const team = view(row, 0);
    await audit(trx, workspaceId, actor, 'team.created', { type: 'team', id: row.id }, { after: team });
    return team;
  });
}

export async function listTeams(db: Db, workspaceId: string): Promise<TeamView[]> {
  return (await listTeamsWithSizes(db, workspaceId)).map((t) => view(t, t.members));
}

/** A team (by id or name) and its members. */
export async function showTeam(db: Db, workspaceId: string, ref: string) {
  const t = await teamOrThrow(db, workspaceId, ref);
  const members = await teamMembers(db, t.id);
  return {
    ...view(t, members.length),
    member_list: members.map((u) => ({ user_id: u.id, email: u.email, name: u.name })),
  };
}

/** Adds the user with `email` to the team; adding a member again changes nothing and writes nothing. */
export async function addTeamMember(db: Db, workspaceId: string, ref: string, email: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const t = await teamOrThrow(trx, workspaceId, ref);
    const u = await findUserByEmail(trx, workspaceId, email.trim().toLowerCase());
    if (!u) throw new StewardError('not_found', `no user with email ${email}`);
    if (u.removed_at !== null) throw new StewardError('conflict', `${u.email} was removed from the workspace`);
    const added = await insertMember(trx, {
      team_id: t.id,
      user_id: u.id,
      workspace_id: workspaceId,
      added_at: Date.now(),
    });
    if (added)
      await audit(
        trx,
        workspaceId,
        actor,
        'team.member_added',
        { type: 'team', id: t.id },
        { after: { user_id: u.id } },
      );
    return { team_id: t.id, user_id: u.id, email: u.email, added };
  });
}

/** Adds many users (by id) to a team in one transaction: addTeamMember's rows and records, in bulk. */
export async function addTeamMembers(
  db: Db,
  workspaceId: string,
  ref: string,
  userIds: readonly string[],
  actor: Actor,
) {
  return db.transaction().execute(async (trx) => {
    const t = await teamOrThrow(trx, workspaceId, ref);
    const users = await findUsersByIds(trx, [...userIds]);
    const live = new Set(users.filter((u) => u.workspace_id === workspaceId && u.removed_at === null).map((u) => u.id));
    const missing = userIds.find((id) => !live.has(id));
    if (missing) throw new StewardError('not_found', `no user ${missing} in this workspace`);
    const added: string[] = [];
    for (const user_id of userIds)
      if (await insertMember(trx, { team_id: t.id, user_id, workspace_id: workspaceId, added_at: Date.now() }))
        added.push(user_id);
    const target = { type: 'team', id: t.id };
    await auditMany(
      trx,
      workspaceId,
      actor,
      added.map((user_id) => ({ action: 'team.member_added', target, after: { user_id } })),
    );
    return { team_id: t.id, added: added.length };
  });
}

/**
 * Teams from an identity provider's groups claim, at single sign-on (decisions/0026): the user joins
 * every existing team named by one of their groups, in the sign-in transaction, audited as that
 * user with the provider named. Add-only: a claim that omits a group (or a provider that sends no
 * groups) never removes a membership someone made by hand; removal stays `teams remove-member`.
 * Groups naming no team are ignored (teams are made by people, not by a token).
 */
export async function joinTeamsOfGroups(
  trx: DbOrTrx,
  workspaceId: string,
  userId: string,
  groups: readonly string[],
  provider: string,
): Promise<string[]> {
  const joined: string[] = [];
  for (const name of [...new Set(groups)].slice(0, 200)) {
    const t = await findTeam(trx, workspaceId, name);
    if (!t || t.name !== name) continue; // by name only: a group is not a team id
    const added = await insertMember(trx, {
      team_id: t.id,
      user_id: userId,
      workspace_id: workspaceId,
      added_at: Date.now(),
    });
    if (!added) continue;
    joined.push(t.id);
    await audit(
      trx,
      workspaceId,
      { type: 'user', id: userId },
      'team.member_added',
      { type: 'team', id: t.id },
      { after: { user_id: userId, via: 'oidc_groups', identity_provider: provider } },
    );
  }
  return joined;
}

/** A team lead's reach: the people of every team they are in, themselves included. */
export async function usersOfTeamsOf(db: DbOrTrx, workspaceId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('team_members')
    .select('user_id')
    .distinct()
    .where('workspace_id', '=', workspaceId)
    .where('team_id', 'in', (eb) =>
      eb
        .selectFrom('team_members')
        .select('team_id')
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId),
    )
    .execute();
  return [...new Set([userId, ...rows.map((r) => r.user_id)])];
}

/** Removes a member, named by email or user id. */
export async function removeTeamMember(db: Db, workspaceId: string, ref: string, who: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const t = await teamOrThrow(trx, workspaceId, ref);
    const u = who.includes('@')
      ? await findUserByEmail(trx, workspaceId, who.trim().toLowerCase())
      : await findUserById(trx, who);
    if (!u || u.workspace_id !== workspaceId) throw new StewardError('not_found', `no user ${who}`);
    if (!(await deleteMember(trx, t.id, u.id)))
      throw new StewardError('not_found', `${u.email} is not in team ${t.name}`);
    await audit(
      trx,
      workspaceId,
      actor,
      'team.member_removed',
      { type: 'team', id: t.id },
      { before: { user_id: u.id } },
    );
    return { team_id: t.id, user_id: u.id, email: u.email };
  });
}

/** Deletes a team and its memberships; the record names the members it had. The users stay. */
export async function deleteTeam(db: Db, workspaceId: string, ref: string, actor: Actor): Promise<TeamView> {
  return db.transaction().execute(async (trx) => {
    const t = await teamOrThrow(trx, workspaceId, ref);
    const members = (await teamMembers(trx, t.id)).map((u) => u.id);
    await deleteTeamRow(trx, t.id);
    const team = view(t, members.length);
    await audit(
      trx,
      workspaceId,
      actor,
      'team.deleted',
      { type: 'team', id: t.id },
      { before: { ...team, member_ids: members } },
    );
    return team;
  });
}
