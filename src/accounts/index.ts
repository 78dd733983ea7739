export { accountsRoutes } from './auth.routes.js';
export type { GroupsHook } from './oidc.service.js';
export { createResetLink, ensureSetupLink } from './links.service.js';
// startSession is the step an identity provider's callback (OIDC, a later piece) takes as well.
export { SessionAuthenticator, startSession } from './sessions.service.js';
export { setPassword } from './set-password.service.js';
