// The Analytics API reads from the read store: a streaming replica when database_read_url is set,
// else the primary (decisions/0040). A response from a replica says how far behind it may be, in
// X-Steward-Replica-Lag-Ms ("unknown" when the replica cannot tell); one the primary answered
// because the replica could not be reached says so in X-Steward-Replica-Fallback (decisions/0051).
// The headers describe the store that answered, known only once the reads ran (decisions/0059): a
// replica lost between the route's lag check and the query sends the query to the primary. A
// response some of whose reads each store answered carries both.
// Writes made while answering (person_data.viewed) and every compliance read stay on the primary.
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import type { Db } from '../platform/storage/database.js';

export const REPLICA_LAG_HEADER = 'x-steward-replica-lag-ms';
export const REPLICA_FALLBACK_HEADER = 'x-steward-replica-fallback';

/** Runs `read` on the read store, then says in the reply's headers which store answered it. */
export async function fromReadStore<T>(ctx: AppContext, reply: FastifyReply, read: (db: Db) => Promise<T>): Promise<T> {
  const replica = ctx.store.replica;
  if (!replica) return read(ctx.store.db);
  const route = await replica.route();
  if (route.from === 'primary') {
    reply.header(REPLICA_FALLBACK_HEADER, 'unreachable');
    return read(ctx.store.db);
  }
  const { value, by } = await replica.track(() => read(ctx.store.read));
  // Nothing queried (an empty window): the route's store stands.
  if (by.has('replica') || by.size === 0)
    reply.header(REPLICA_LAG_HEADER, route.lagMs === null ? 'unknown' : String(route.lagMs));
  if (by.has('primary')) reply.header(REPLICA_FALLBACK_HEADER, 'unreachable');
  return value;
}
