// Request logging. A request refused on headers (admission.ts) gets no log lines of its own: under
// overload that was ~900 bytes per refusal (521 MB for 577k refusals). Refusals are counted instead and
// written as one summary line per interval; every other request keeps one line when it completes.
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

export class RequestLog extends LogController {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private log: FastifyBaseLogger | undefined;

  constructor(private readonly intervalMs: number) {
    super();
  }

  /** Starts the summaries (app.ts, once the logger exists); stop() writes the last one. */
  start(log: FastifyBaseLogger): void {
    this.log = log;
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }

  // The completed line carries the request too, so "incoming request" is not written separately.
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const refused = request.refusedOnHeaders;
    if (refused) {
      this.counts.set(refused, (this.counts.get(refused) ?? 0) + 1);
      return;
    }
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }

  private flush(): void {
    if (!this.counts.size || !this.log) return;
    // "otlp 429 overloaded": 1234 … per source, status and reason.
    const refused = Object.fromEntries(this.counts);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    this.counts = new Map();
    this.log.warn({ refused, total, interval_s: this.intervalMs / 1000 }, `${total} requests refused on headers`);
  }
}
