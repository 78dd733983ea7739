export { codeReviewRoutes } from './code-review.routes.js';
export { toolRoutes } from './tools.routes.js';
export { usageRoutes } from './usage.routes.js';
export { skillsRoutes } from './skills.routes.js';
export { UserEmails } from './usage.service.js';
export { queryRoutes } from './query/query.routes.js';
export { peopleRoutes } from './people.routes.js';
export { exportRoutes } from './exports.routes.js';
