// Plain JavaScript so the worker needs no TypeScript loader.
// Offered load without client backoff: N connections each post the next body the moment the last
// answer arrives, whatever it was (a 503's Retry-After is ignored), for a fixed time. Reports the
// answers by status and the accepted answers' latency. The server runs in the main thread.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, bodies, keys, connections, seconds, contentType } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);

function post(body, key) {
  return new Promise((resolve) => {
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
        res.on('error', () => resolve(-1));
      },
    );
    // A connection the server closed or refused counts as an error; the loop goes on.
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

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
agent.destroy();
