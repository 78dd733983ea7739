// The admin API (scope admin): the workspace, its users and its keys, as the CLI manages them.
import { z } from 'zod';
import { described, errorResponse, jsonBody } from '../platform/http/contract.js';
import { workspaceParams } from '../platform/http/query.contract.js';

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
export const usersRoute = {
  summary: 'List users',
  params: workspaceParams,
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
    }),
  ),
  response: { 201: described('created') },
};
export const revokeKeyRoute = {
  summary: 'Revoke a key',
  params: workspaceParams.extend({ key_id: z.string() }),
  response: { 200: described('revoked'), 404: errorResponse('unknown key') },
};
