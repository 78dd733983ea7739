// Plain JavaScript so the bench workers need no TypeScript loader.
// Uploaders of POST /v1/ingest/rollouts, run in a worker thread: each posts its own bodies in order
// (a file's chunks must arrive in order, as `steward push` sends them), all uploaders at once over
// keep-alive HTTP; a 429 or 503 is sent again after a pause, as push does. Reports the wall time,
// the retries, the requests that failed and the file chunks not stored.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, uploaders } = workerData; // uploaders: { key, bodies: string[] }[]
const agent = new http.Agent({ keepAlive: true, maxSockets: uploaders.length });
const target = new URL(url);
const post = (body, key) =>
  new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: '/v1/ingest/rollouts',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: -1, body: '' }));
      },
    );
    req.on('error', () => resolve({ status: -1, body: '' }));
    req.end(body);
  });

let failures = 0;
let retries = 0;
let firstFailure;
let notStored = 0;
const t0 = performance.now();
await Promise.all(
  uploaders.map(async (u) => {
    for (const body of u.bodies) {
      let r = await post(body, u.key);
      // As push does: a retryable answer (overload, storage busy) is sent again after a pause.
      for (let n = 0; (r.status === 429 || r.status === 503) && n < 20; n++) {
        retries++;
        await new Promise((res) => setTimeout(res, 200 * (n + 1)));
        r = await post(body, u.key);
      }
      if (r.status !== 200) {
        failures++;
        firstFailure ??= `${r.status} ${r.body.slice(0, 300)}`;
        continue;
      }
      for (const f of JSON.parse(r.body).files) if (f.status !== 'stored') notStored++;
    }
  }),
);
parentPort.postMessage({ ms: performance.now() - t0, failures, retries, notStored, firstFailure });
agent.destroy();
