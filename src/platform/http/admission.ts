// Admission for receivers (POST /v1/logs, /v1/ingest/rollouts, /v1/ingest/code_review_events, the GitHub
// webhook): one place decides whether a request may do its work now, and every refusal is counted by
// reason (steward_ingest_refused_total), whether admission refused it or the work did (a 415, a 413 after
// decompression, a bad signature). Receivers differ only in the options they pass.
import type { FastifyRequest } from 'fastify';
import { StewardError } from '../../core/errors.js';
import type { Principal } from '../../core/credentials.js';
import type { AppContext } from './context.js';

export type IngestSource = 'otlp' | 'rollout' | 'code_review' | 'github';

export interface AdmissionOptions<A> {
  source: IngestSource;
  /** What the receiver takes (content type, encoding), checked first: a 415 comes before a 403 or a 503. */
  accept?: () => A;
  /**
   * Whom the key must name. 'user': records are attributed to the key's user. 'user-or-collector': a
   * shared collector key may name users in the payload instead. 'any': the workspace is enough.
   * 'none': not a bearer-key route (GitHub signs its deliveries).
   */
  key: 'user' | 'user-or-collector' | 'any' | 'none';
  /** How to get a key that would do, after "this key is not bound to a user; ". */
  unboundHint?: string;
  /**
   * Whether the work takes one of the ingest.max_concurrent_batches slots (a batch that writes facts).
   * Over the limit the request is refused with 503 + Retry-After; shutdown waits for the slots to drain.
   */
  slot: boolean;
}

/** The 503 every request gets once shutdown has begun (Retry-After: exporters try the next instance). */
export const shuttingDown = (): StewardError => new StewardError('shutting_down');

export interface Admitted<A> {
  /** What accept() returned (e.g. the request's format). */
  accepted: A;
  /** The bearer key, checked against opts.key; undefined on a 'none' route. */
  principal: Principal | undefined;
}

/** Admits the request or refuses it, runs the work, and counts any refusal by reason. */
export async function admit<A, T>(
  ctx: AppContext,
  req: FastifyRequest,
  opts: AdmissionOptions<A>,
  work: (admitted: Admitted<A>) => Promise<T>,
): Promise<T> {
  const refused = (reason: string) => ctx.metrics.ingestRefused.inc({ source: opts.source, reason });
  // The app refuses new requests on shutdown; this also catches one whose body was still arriving.
  if (ctx.state.shuttingDown) {
    refused('shutting_down');
    throw shuttingDown();
  }
  let accepted: A;
  try {
    accepted = opts.accept ? opts.accept() : (undefined as A);
  } catch (e) {
    if (e instanceof StewardError) refused(e.code);
    throw e;
  }
  const principal = req.principal;
  if (opts.key === 'user' || opts.key === 'user-or-collector') {
    if (!principal?.userId && !(opts.key === 'user-or-collector' && principal?.sharedCollector)) {
      refused('key_not_bound_to_user');
      const hint = opts.unboundHint ?? "use a user's key";
      throw new StewardError('forbidden_scope', `this key is not bound to a user; ${hint}`);
    }
  }
  if (opts.slot) {
    if (ctx.state.inflightBatches >= ctx.config.ingest.max_concurrent_batches) {
      refused('overloaded');
      throw new StewardError('overloaded', 'too many batches in flight; retry later', { retryAfterSeconds: 1 });
    }
    ctx.state.inflightBatches++;
  }
  try {
    return await work({ accepted, principal });
  } catch (e) {
    if (e instanceof StewardError && e.status < 500) refused(e.code);
    throw e;
  } finally {
    if (opts.slot) ctx.state.inflightBatches--;
  }
}
