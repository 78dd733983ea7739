// Plain JavaScript so the worker needs no TypeScript loader.
// Load generator run in a worker thread: posts pre-built bodies with N requests in flight over
// keep-alive HTTP and reports wall time. The server runs in the main thread.
import { logsPoster } from './post-logs.mjs';
import { parentPort, workerData } from 'node:worker_threads';

const { url, bodies, keys, concurrency, contentType } = workerData;
const { post, close } = logsPoster(url, contentType, concurrency);

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
close();
