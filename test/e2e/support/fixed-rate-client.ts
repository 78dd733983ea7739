// The load harness's client without backoff: autocannon at a fixed overall rate, one connection per
// rate slot, each request a fresh body from `body()` with the next key. A refused batch is dropped
// and the connection sends the next on schedule, whatever the server answers.
import autocannon from 'autocannon';

export interface FixedRateOptions {
  url: string;
  keys: string[];
  connections: number;
  /** Requests per second, all connections together. */
  rate: number;
  seconds: number;
  timeoutMs: number;
  body: () => Buffer;
  /** Every answer: its status, its Retry-After, autocannon's latency for it (ms). */
  onStatus: (status: number, retryAfter: string | undefined, ms: number) => void;
}

export interface FixedRateResult {
  /** Bodies built and handed to a connection. */
  sent: number;
  /** No answer within the timeout. */
  timeouts: number;
  /** Connection errors: closed or reset without an answer, timeouts included. */
  errors: number;
  /** Requests left without an answer on a connection that closed or failed (see fixedRateRun). */
  orphaned: number;
}

export async function fixedRateRun(o: FixedRateOptions): Promise<FixedRateResult> {
  let sent = 0;
  let orphaned = 0;
  // autocannon hands a response's headers to onResponse and, synchronously after it, its status and
  // latency to the client's 'response' event: the header is carried from one to the other here.
  let retryAfter: string | undefined;
  const result = await autocannon({
    url: `${o.url}/v1/logs`,
    connections: Math.min(o.connections, o.rate),
    overallRate: o.rate,
    duration: o.seconds,
    timeout: o.timeoutMs / 1000,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => ({
          ...req,
          headers: {
            ...req.headers,
            'content-type': 'application/x-protobuf',
            authorization: `Bearer ${o.keys[sent++ % o.keys.length]}`,
          },
          body: o.body(),
        }),
        onResponse: (_code: number, _body: string, _ctx: unknown, headers?: Record<string, string>) => {
          const name = Object.keys(headers ?? {}).find((h) => h.toLowerCase() === 'retry-after');
          retryAfter = name ? headers![name] : undefined;
        },
      },
    ],
    setupClient: (client: any) => {
      // autocannon 9 keeps each connection's requests awaiting an answer in a FIFO that it clears
      // on a timeout but not when the server closes the connection ('end') or resets it ('error'):
      // it reconnects and sends the next request, and every later answer on that client is matched
      // to the oldest entry, so its latency is measured from a request that will never be answered.
      // A 429 + Connection: close (a refused body over 64 KiB, decisions/0028) leaves such an entry
      // each time the client had already written its next request to the closing socket, so on
      // SQLite's run (476 batches/s over 256 connections: two a second on most) the figures drifted
      // by a request period per refusal, to a median of 110 s in 10 minutes while the server
      // acknowledged in under 2 s. On reconnecting, the entries left are dropped and counted here
      // (they stay among the unanswered, which may have been stored). setupClient runs before the
      // client's first connect, so the wrapper sees every one.
      const connect = client._connect;
      client._connect = function (this: any) {
        orphaned += this.pipelinedRequests.size();
        this.pipelinedRequests.clear();
        return connect.call(this);
      };
      client.on('response', (code: number, _bytes: number, ms: number) => {
        o.onStatus(code, retryAfter, ms);
        retryAfter = undefined;
      });
    },
  } as any);
  return { sent, timeouts: result.timeouts, errors: result.errors, orphaned };
}
