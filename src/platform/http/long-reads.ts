// Log-file downloads, API verifications and searches run for seconds and, on PostgreSQL, hold
// pooled connections all along. At most `compliance.max_concurrent_reads` run at once; one more is a 429
// with Retry-After (retryable, as an exporter or a SIEM puller expects; decisions/0051), before anything is audited
// or read.
import type { FastifyReply } from 'fastify';
import { StewardError } from '../../core/errors.js';
import type { AppContext } from './context.js';

function claim(ctx: AppContext): () => void {
  if (ctx.state.longReads >= ctx.config.compliance.max_concurrent_reads) {
    throw new StewardError(
      'overloaded',
      'too many log-file downloads, verifications and searches in flight ' +
        `(compliance.max_concurrent_reads = ${ctx.config.compliance.max_concurrent_reads}); retry later`,
      { retryAfterSeconds: 2 },
    );
  }
  ctx.state.longReads++;
  let done = false;
  return () => {
    if (!done) (done = true), ctx.state.longReads--;
  };
}

/** A slot for a streamed response: given back when the response ends or the client goes away. */
export function claimStreamingRead(ctx: AppContext, reply: FastifyReply): void {
  const release = claim(ctx);
  reply.raw.once('close', release);
}

/** A slot for the duration of `work`. */
export async function withLongRead<T>(ctx: AppContext, work: () => Promise<T>): Promise<T> {
  const release = claim(ctx);
  try {
    return await work();
  } finally {
    release();
  }
}
