// The admin API (scope admin): the workspace, its users and its keys, as the CLI manages them.
import { z } from 'zod';
import { described, errorResponse, jsonBody } from '../platform/http/contract.js';
import { workspaceParams } from '../platform/http/query.contract.js';

const ADMIN = 'Scope admin.';
const optString = (description: string) =>
  z
    .string()
    .nullish()
    .transform((v) => v ?? undefined)
    .describe(description);

export const workspacesRoute = {
  summary: "The key's workspace",
  description: ADMIN,
  response: { 200: described('list') },
};
export const usersRoute = {
  summary: 'List users',
  description: ADMIN,
  params: workspaceParams,
  response: { 200: described('list') },
};
export const addUserRoute = {
  summary: 'Add a user {email, name?, role?, github_login?}',
  description: ADMIN,
  params: workspaceParams,
  body: jsonBody(
    z.object({
      email: z.string().describe('Unique in the workspace.'),
      name: optString('Display name.'),
      role: optString("The user's role."),
      github_login: optString('Their GitHub login (code review attribution).'),
    }),
  ),
  response: { 201: described('created'), 409: errorResponse('exists') },
};
export const keysRoute = {
  summary: 'List keys (never their secrets)',
  description: ADMIN,
  params: workspaceParams,
  response: { 200: described('list') },
};
export const createKeyRoute = {
  summary: 'Create a key {scopes[], user?, name?, shared_collector?}; the secret is returned once',
  description: ADMIN,
  params: workspaceParams,
  body: jsonBody(
    z.object({
      scopes: z
        .array(z.string(), { error: 'must be an array of scope names' })
        .describe('Scope names (steward keys create --help lists them).'),
      user: optString('Email of the user the key acts for.'),
      name: optString('A label.'),
      shared_collector: z
        .unknown()
        .optional()
        .transform((v) => v === true)
        .meta({ type: 'boolean', description: 'An OTLP collector shared by users (records name their user).' }),
      service: z
        .unknown()
        .optional()
        .transform((v) => v === true)
        .meta({
          type: 'boolean',
          description: 'A CI or service identity (needs user): counted in totals, not as an active user.',
        }),
    }),
  ),
  response: { 201: described('created') },
};
export const revokeKeyRoute = {
  summary: 'Revoke a key',
  description: ADMIN,
  params: workspaceParams.extend({ key_id: z.string() }),
  response: { 200: described('revoked'), 404: errorResponse('unknown key') },
};

const teamParams = workspaceParams.extend({ team_id: z.string().describe('The team id (or its name).') });
export const teamsRoute = {
  summary: 'List teams with their member counts',
  description: ADMIN,
  params: workspaceParams,
  response: { 200: described('list') },
};
export const createTeamRoute = {
  summary: 'Create a team {name}',
  description: `${ADMIN} Audited (team.created).`,
  params: workspaceParams,
  body: jsonBody(z.object({ name: z.string({ error: 'must be a string' }).describe('Unique in the workspace.') })),
  response: { 201: described('created'), 409: errorResponse('exists') },
};
export const teamRoute = {
  summary: 'A team and its members',
  description: ADMIN,
  params: teamParams,
  response: { 200: described('the team'), 404: errorResponse('unknown team') },
};
export const deleteTeamRoute = {
  summary: 'Delete a team (its users stay)',
  description: `${ADMIN} Audited (team.deleted, naming the members it had).`,
  params: teamParams,
  response: { 200: described('deleted'), 404: errorResponse('unknown team') },
};
export const addMemberRoute = {
  summary: 'Add a member {email}; a user may be in several teams',
  description: `${ADMIN} Audited (team.member_added).`,
  params: teamParams,
  body: jsonBody(z.object({ email: z.string({ error: 'must be a string' }).describe("The user's email.") })),
  response: {
    200: described('added (added: false when already a member)'),
    404: errorResponse('unknown team or user'),
  },
};
export const removeMemberRoute = {
  summary: 'Remove a member',
  description: `${ADMIN} Audited (team.member_removed).`,
  params: teamParams.extend({ user_id: z.string().describe('The user id (or email).') }),
  response: { 200: described('removed'), 404: errorResponse('unknown team, user or membership') },
};
