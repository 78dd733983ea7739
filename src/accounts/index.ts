export { accountsRoutes, serverOrigin } from './auth.routes.js';
export { createResetLink, ensureSetupLink, type MadeLink } from './links.service.js';
export { SessionAuthenticator, startSession, type StartedSession } from './sessions.service.js';
export { setPassword } from './set-password.service.js';
