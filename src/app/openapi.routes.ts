import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { OPENAPI } from './openapi.js';

export async function openapiRoutes(app: FastifyInstance, _ctx: AppContext) {
  app.get('/openapi.json', async () => OPENAPI);
}
