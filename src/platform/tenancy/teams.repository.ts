// Teams and their members (migration 0019). Membership rows carry the workspace, so "the teams of
// these users" and "the members of these teams" are one indexed read each.
import type { DbOrTrx } from '../storage/database.js';
import type { TeamTable, UserTable } from '../storage/schema.js';

export async function insertTeam(db: DbOrTrx, row: TeamTable): Promise<void> {
  await db.insertInto('teams').values(row).execute();
}

export async function findTeam(db: DbOrTrx, workspaceId: string, idOrName: string): Promise<TeamTable | undefined> {
  return db
    .selectFrom('teams')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('id')
    .executeTakeFirst();
}

/** The workspace's teams by name, each with its number of members. */
export async function listTeamsWithSizes(
  db: DbOrTrx,
  workspaceId: string,
): Promise<(TeamTable & { members: number })[]> {
  const rows = await db
    .selectFrom('teams')
    .leftJoin('team_members', 'team_members.team_id', 'teams.id')
    .select(['teams.id', 'teams.workspace_id', 'teams.name', 'teams.created_at'])
    .select((eb) => eb.fn.count<number>('team_members.user_id').as('members'))
    .where('teams.workspace_id', '=', workspaceId)
    .groupBy(['teams.id', 'teams.workspace_id', 'teams.name', 'teams.created_at'])
    .orderBy('teams.name')
    .execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at), members: Number(r.members) }));
}

export async function teamMembers(db: DbOrTrx, teamId: string): Promise<UserTable[]> {
  return db
    .selectFrom('team_members')
    .innerJoin('users', 'users.id', 'team_members.user_id')
    .selectAll('users')
    .where('team_members.team_id', '=', teamId)
    .orderBy('users.email')
    .execute();
}

/** Returns false when the user was already a member. */
export async function insertMember(
  db: DbOrTrx,
  row: { team_id: string; user_id: string; workspace_id: string; added_at: number },
): Promise<boolean> {
  const r = await db
    .insertInto('team_members')
    .values(row)
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteMember(db: DbOrTrx, teamId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function deleteTeamRow(db: DbOrTrx, teamId: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  await db.deleteFrom('teams').where('id', '=', teamId).execute();
}

/** user id -> the ids of their teams, for these users of the workspace. */
export async function teamsOfUsers(
  db: DbOrTrx,
  workspaceId: string,
  userIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('team_members')
    .select(['user_id', 'team_id'])
    .where('workspace_id', '=', workspaceId)
    .where('user_id', 'in', userIds)
    .orderBy('user_id')
    .orderBy('team_id')
    .execute();
  for (const r of rows) (out.get(r.user_id) ?? out.set(r.user_id, []).get(r.user_id)!).push(r.team_id);
  return out;
}
