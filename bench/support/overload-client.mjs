// Plain JavaScript so the worker needs no TypeScript loader.
// Offered load without client backoff: N connections each post the next body the moment the last
// answer arrives, whatever it was (a refusal's Retry-After is ignored), for a fixed time. Reports the
// answers by status and the accepted answers' latency. The server runs in the main thread.
import { logsPoster } from './post-logs.mjs';
import { parentPort, workerData } from 'node:worker_threads';

const { url, bodies, keys, connections, seconds, contentType } = workerData;
const { post, close } = logsPoster(url, contentType, connections);

let next = 0;
const status = {};
const latencies = [];
const t0 = performance.now();
const until = t0 + seconds * 1000;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      const i = next++ % bodies.length;
      const s0 = performance.now();
      const s = await post(bodies[i], keys[i % keys.length]);
      status[s] = (status[s] ?? 0) + 1;
      if (s === 200) latencies.push(performance.now() - s0);
    }
  }),
);
latencies.sort((a, b) => a - b);
const q = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
parentPort.postMessage({ ms: performance.now() - t0, status, p50: q(0.5), p99: q(0.99) });
close();
