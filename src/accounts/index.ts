export { setPassword } from './set-password.service.js';
