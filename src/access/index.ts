export { adminRoutes } from './admin.routes.js';
export { analyticsPrivacy } from './workspace-settings.service.js';
export { AuthFailureLog, type AuthFoldOptions } from './auth-log.service.js';
export { KeyAuthenticator } from './key-authenticator.js';
export { createKey, DEFAULT_ROTATION_GRACE_MS, listKeyViews, revokeKey, rotateKey } from './keys.service.js';
export { addUser, addUsers, changeRole, removeUser, workspaceUsers } from './users.service.js';
export {
  allWorkspaces,
  createWorkspace,
  defaultWorkspace,
  ensureBootstrapped,
  ensureOwnerKey,
  ensureWorkspace,
  OWNER_KEY_COMMAND,
  type OwnerKeyState,
} from './workspaces.service.js';
export {
  addTeamMember,
  addTeamMembers,
  createTeam,
  deleteTeam,
  joinTeamsOfGroups,
  listTeams,
  removeTeamMember,
  usersOfTeamsOf,
} from './teams.service.js';
