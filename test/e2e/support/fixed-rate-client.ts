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
}

export async function fixedRateRun(o: FixedRateOptions): Promise<FixedRateResult> {
  let sent = 0;
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
      client.on('response', (code: number, _bytes: number, ms: number) => {
        o.onStatus(code, retryAfter, ms);
        retryAfter = undefined;
      });
    },
  } as any);
  return { sent, timeouts: result.timeouts, errors: result.errors };
}
