// The Analytics API reads from the read store: a streaming replica when database_read_url is set,
// else the primary (decisions/0040). A response from a replica says how far behind it may be, in
// X-Steward-Replica-Lag-Ms ("unknown" when the replica cannot tell); writes made while answering
// (person_data.viewed) and every compliance read stay on the primary.
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import type { Db } from '../platform/storage/database.js';

export const REPLICA_LAG_HEADER = 'x-steward-replica-lag-ms';

export async function readStore(ctx: AppContext, reply: FastifyReply): Promise<Db> {
  if (ctx.store.read === ctx.store.db) return ctx.store.db;
  const lag = await ctx.store.readLagMs();
  reply.header(REPLICA_LAG_HEADER, lag === null ? 'unknown' : String(lag));
  return ctx.store.read;
}
