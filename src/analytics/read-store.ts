// The Analytics API reads from the read store: a streaming replica when database_read_url is set,
// else the primary (decisions/0040). A response from a replica says how far behind it may be, in
// X-Steward-Replica-Lag-Ms ("unknown" when the replica cannot tell); one the primary answered
// because the replica could not be reached says so in X-Steward-Replica-Fallback (decisions/0051).
// Writes made while answering (person_data.viewed) and every compliance read stay on the primary.
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import type { Db } from '../platform/storage/database.js';

export const REPLICA_LAG_HEADER = 'x-steward-replica-lag-ms';
export const REPLICA_FALLBACK_HEADER = 'x-steward-replica-fallback';

export async function readStore(ctx: AppContext, reply: FastifyReply): Promise<Db> {
  const replica = ctx.store.replica;
  if (!replica) return ctx.store.db;
  const route = await replica.route();
  if (route.from === 'primary') {
    reply.header(REPLICA_FALLBACK_HEADER, 'unreachable');
    return ctx.store.db;
  }
  reply.header(REPLICA_LAG_HEADER, route.lagMs === null ? 'unknown' : String(route.lagMs));
  return ctx.store.read;
}
