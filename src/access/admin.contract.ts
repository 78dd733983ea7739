// The admin API (scope admin): the workspace, its users and its keys, as the CLI manages them.
import { z } from 'zod';
import { described, errorResponse, jsonBody } from '../platform/http/contract.js';
import { enumQuery, limitQuery, offsetQuery, textQuery, workspaceParams } from '../platform/http/query.contract.js';

const optString = (description: string) =>
  z
    .string()
    .nullish()
    .transform((v) => v ?? undefined)
    .describe(description);

export const workspacesRoute = {
  summary: "The key's workspace",
  response: { 200: described('list') },
};
export const USERS_MAX_LIMIT = 100_000;
export const usersRoute = {
  summary: 'List users, by email; a page of them with limit, offset and search',
  description:
    'Without limit every user (up to 100,000). search keeps the users whose email or name holds the text, ' +
    'in any case; people=true leaves out removed users and service identities (the people a key is made for). ' +
    'total counts every match, has_more says whether a page follows.',
  params: workspaceParams,
  querystring: z.object({
    search: textQuery('Users whose email or name holds this text, any case.', 200),
    people: enumQuery(['true', 'false'] as const, 'false', 'must be true or false'),
    limit: limitQuery(USERS_MAX_LIMIT, USERS_MAX_LIMIT),
    offset: offsetQuery,
  }),
  response: { 200: described('list') },
};
export const addUserRoute = {
  summary: 'Add a user {email, name?, role?, github_login?}',
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
  params: workspaceParams,
  response: { 200: described('list') },
};
export const createKeyRoute = {
  summary: 'Create a key {scopes[], user?, name?, shared_collector?}; the secret is returned once',
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
  params: workspaceParams.extend({ key_id: z.string() }),
  response: { 200: described('revoked'), 404: errorResponse('unknown key') },
};
export const rotateKeyRoute = {
  summary: 'Rotate a key {grace_hours?}: a new secret, returned once; the old one works for the grace period',
  params: workspaceParams.extend({ key_id: z.string() }),
  body: jsonBody(
    z.object({
      grace_hours: z
        .number({ error: 'must be a number of hours' })
        .min(0)
        .max(24 * 90)
        .optional()
        .describe('How long the old secret keeps working (0: it stops now). Default 24.'),
    }),
  ),
  response: {
    201: described('the new key with its secret, and the old key with its new expiry'),
    404: errorResponse('unknown key'),
    409: errorResponse('the key is revoked or expired'),
  },
};
const userParams = workspaceParams.extend({ user_id: z.string() });
export const setRoleRoute = {
  summary: "Change a user's role {role}",
  params: userParams,
  body: jsonBody(z.object({ role: z.string().describe('One of the roles (steward users add --help lists them).') })),
  response: { 200: described('the user'), 404: errorResponse('unknown user') },
};
export const removeUserRoute = {
  summary: 'Remove a user: their keys are revoked, their records and usage stay',
  params: userParams,
  response: {
    200: described('the removed user and the ids of the keys revoked'),
    404: errorResponse('unknown user'),
    409: errorResponse('already removed'),
  },
};

const NARROW =
  'A workspace may narrow what the server allows, never widen it: emails appear only when the server ' +
  "(analytics.show_emails) AND the workspace allow them; the team floor is the larger of the server's " +
  "analytics.min_team_size and the workspace's. Settings that cannot be read apply closed (no emails, " +
  'every team folded).';
export const settingsRoute = {
  summary: "The workspace's analytics settings: the server's, the workspace's, and the effective ones",
  description:
    'show_emails (whether emails appear in usage rows, people pages and exports) and min_team_size (the ' +
    'team privacy floor) at the top level are the effective values; server holds the config file or env ' +
    'values, workspace what this workspace set (null: not set), unreadable the stored values that could ' +
    'not be read. Also lookback_days and public_url (server config, read-only). ' +
    NARROW +
    ' The content policy is the Compliance API policy route.',
  params: workspaceParams,
  response: { 200: described('settings') },
};
export const updateSettingsRoute = {
  summary: "Change the workspace's analytics settings {show_emails?, min_team_size?} (partial update)",
  description:
    `${NARROW} Audited (settings.changed, with the values before and after); a change that changes ` +
    'nothing writes nothing. Answers as the GET.',
  params: workspaceParams,
  body: jsonBody(
    z
      .object({
        show_emails: z
          .boolean({ error: 'must be true or false' })
          .optional()
          .describe('false: no emails in this workspace. true: emails where the server shows them.'),
        min_team_size: z
          .number({ error: 'must be a whole number' })
          .int({ error: 'must be a whole number' })
          .min(1, { error: 'must be at least 1' })
          .max(10_000, { error: 'must be at most 10000' })
          .optional()
          .describe("The workspace's team floor; the server's applies when it is larger."),
      })
      .strict(),
  ),
  response: { 200: described('settings'), 409: errorResponse('the stored settings cannot be read') },
};

const teamParams = workspaceParams.extend({ team_id: z.string().describe('The team id (or its name).') });
export const teamsRoute = {
  summary: 'List teams with their member counts',
  params: workspaceParams,
  response: { 200: described('list') },
};
export const createTeamRoute = {
  summary: 'Create a team {name}',
  description: `Audited (team.created).`,
  params: workspaceParams,
  body: jsonBody(z.object({ name: z.string({ error: 'must be a string' }).describe('Unique in the workspace.') })),
  response: { 201: described('created'), 409: errorResponse('exists') },
};
export const teamRoute = {
  summary: 'A team and its members',
  params: teamParams,
  response: { 200: described('the team'), 404: errorResponse('unknown team') },
};
export const deleteTeamRoute = {
  summary: 'Delete a team (its users stay)',
  description: `Audited (team.deleted, naming the members it had).`,
  params: teamParams,
  response: { 200: described('deleted'), 404: errorResponse('unknown team') },
};
export const addMemberRoute = {
  summary: 'Add a member {email}; a user may be in several teams',
  description: `Audited (team.member_added).`,
  params: teamParams,
  body: jsonBody(z.object({ email: z.string({ error: 'must be a string' }).describe("The user's email.") })),
  response: {
    200: described('added (added: false when already a member)'),
    404: errorResponse('unknown team or user'),
  },
};
export const removeMemberRoute = {
  summary: 'Remove a member',
  description: `Audited (team.member_removed).`,
  params: teamParams.extend({ user_id: z.string().describe('The user id (or email).') }),
  response: { 200: described('removed'), 404: errorResponse('unknown team, user or membership') },
};
