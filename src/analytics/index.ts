export { codeReviewRoutes } from './code-review.routes.js';
export { usageRoutes } from './usage.routes.js';
export { skillsRoutes } from './skills.routes.js';
export { UserEmails } from './usage.service.js';
export { exportRoutes } from './exports.routes.js';
