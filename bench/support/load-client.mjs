// Plain JavaScript so the worker needs no TypeScript loader.
// Load generator run in a worker thread: posts pre-built bodies with N requests in flight over
// keep-alive HTTP and reports wall time. The server runs in the main thread.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, bodies, keys, concurrency, contentType } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);

function post(body, key) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: '/v1/logs',
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, authorization: `Bearer ${key}`, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let next = 0;
let failures = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const i = next++;
      const status = await post(bodies[i], keys[i % keys.length]);
      if (status !== 200) failures++;
    }
  }),
);
parentPort.postMessage({ ms: performance.now() - t0, failures });
agent.destroy();
