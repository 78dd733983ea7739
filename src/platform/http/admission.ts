// Admission for receivers (POST /v1/logs, /v1/ingest/rollouts, /v1/ingest/code_review_events, the GitHub
// webhook): one place decides whether a request may do its work now, and every refusal is counted by
// reason (steward_ingest_refused_total), whether admission refused it or the work did (a 415, a 413 after
// decompression, a bad signature). Receivers differ only in the options they pass.
// The batch receivers decide on headers (admitOnHeaders, an onRequest hook): a refusal costs no body
// read, no parse and no log line of its own (decisions/0028), so refusing stays cheap under overload.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { StewardError } from '../../core/errors.js';
import type { Principal } from '../../core/credentials.js';
import { authorize } from './auth.js';
import type { AppContext } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What admitOnHeaders decided; the handler reads it through runAdmitted. */
    admission?: { accepted: unknown; begin: () => void; release: () => void };
    /** Why the request was refused before its body was read (its log line is a summary count). */
    refusedOnHeaders?: string;
  }
}

// A refused request whose body is still arriving: below this declared length Node reads and drops
// the rest so a keep-alive client keeps its connection; above it, or with no length, or without a
// valid key, the connection is closed after the answer instead of reading what the client sends.
const DRAIN_BYTES = 64 * 1024;

export type IngestSource = 'otlp' | 'rollout' | 'code_review' | 'github';

export interface AdmissionOptions<A> {
  source: IngestSource;
  /** What the receiver takes (content type, encoding), checked first: a 415 comes before a 403 or a 429. */
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
   * Over the limit the request is refused with 429 + Retry-After; shutdown waits for the slots to drain.
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

/**
 * An onRequest hook deciding on headers only: shutdown (503), content type (415), a free slot (429 +
 * Retry-After, checked before the key so that refusing under load costs no database read), the key
 * (401/403, recorded in AUTH_LOG), whom it names, then the slot is taken until the response ends.
 */
export function admitOnHeaders<A>(
  ctx: AppContext,
  opts: Omit<AdmissionOptions<A>, 'accept'> & { accept?: (req: FastifyRequest) => A },
): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    let reason: string | undefined; // when it is not the error's code
    try {
      if (ctx.state.shuttingDown) throw shuttingDown();
      const accepted = opts.accept ? opts.accept(req) : undefined;
      if (opts.slot && ctx.state.inflightBatches >= ctx.config.ingest.max_concurrent_batches) throw busy();
      const principal = await authorize(ctx, req);
      if (!boundAsNeeded(principal, opts)) {
        reason = 'key_not_bound_to_user';
        const hint = opts.unboundHint ?? "use a user's key";
        throw new StewardError('forbidden_scope', `this key is not bound to a user; ${hint}`);
      }
      // Re-checked: other requests may have taken the last slot while the key was looked up.
      if (opts.slot && ctx.state.inflightBatches >= ctx.config.ingest.max_concurrent_batches) throw busy();
      let held = opts.slot;
      let working = false;
      if (held) ctx.state.inflightBatches++;
      const release = () => {
        if (held) (held = false), ctx.state.inflightBatches--;
      };
      // A request that ends before its work begins (a body timeout, the client leaving while it
      // sends) gives the slot back at once. Once the work has begun the slot is held until the
      // work ends, even if the client has gone meanwhile (an exporter's timeout): the work goes
      // on, and a slot given back early would let a client that times out and retries keep
      // adding work past max_concurrent_batches (found by the load harness, bench/load.bench.ts).
      reply.raw.once('close', () => {
        if (!working) release();
      });
      const begin = () => {
        working = true;
        if (opts.slot && !held) (held = true), ctx.state.inflightBatches++;
      };
      req.admission = { accepted, begin, release };
    } catch (e) {
      if (!(e instanceof StewardError)) throw e;
      ctx.metrics.ingestRefused.inc({ source: opts.source, reason: reason ?? e.code });
      req.refusedOnHeaders = `${opts.source} ${e.status} ${e.code}`;
      if (!req.raw.complete) {
        const length = Number(req.headers['content-length'] ?? NaN);
        const keyless = e.status === 401 || e.status === 403;
        if (keyless || !(length <= DRAIN_BYTES)) reply.header('connection', 'close');
      }
      throw e;
    }
  };
}

const busy = () => new StewardError('overloaded', 'too many batches in flight; retry later', { retryAfterSeconds: 1 });

function boundAsNeeded(principal: Principal, opts: Pick<AdmissionOptions<unknown>, 'key'>): boolean {
  if (opts.key !== 'user' && opts.key !== 'user-or-collector') return true;
  return !!principal.userId || (opts.key === 'user-or-collector' && principal.sharedCollector);
}

/**
 * The work of a request admitted on headers: refused if shutdown began while its body arrived,
 * refusals of the work counted by reason, the slot given back at the end.
 */
export async function runAdmitted<A, T>(
  ctx: AppContext,
  req: FastifyRequest,
  opts: { source: IngestSource },
  work: (admitted: Admitted<A>) => Promise<T>,
): Promise<T> {
  const admission = req.admission!;
  admission.begin();
  try {
    if (ctx.state.shuttingDown) throw shuttingDown();
    return await work({ accepted: admission.accepted as A, principal: req.principal });
  } catch (e) {
    if (e instanceof StewardError && (e.status < 500 || e.code === 'shutting_down'))
      ctx.metrics.ingestRefused.inc({ source: opts.source, reason: e.code });
    throw e;
  } finally {
    admission.release();
  }
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
      throw busy();
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
