// Downloads log files over HTTP in a worker thread and counts the JSONL lines; with gzip it only
// drains the compressed bytes (on a 2-core machine a client-side gunzip would take the core the
// server's compression needs; the tests check the gzip content). Plain JS: workers start without tsx.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { urls, key, gzip } = workerData;
let lines = 0;
let bytes = 0;
const t0 = performance.now();
for (const url of urls)
  await new Promise((resolve, reject) => {
    http
      .get(
        url,
        { headers: { authorization: `Bearer ${key}`, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } },
        (res) => {
          const body = res;
          body.on('data', (chunk) => {
            if (gzip) bytes += chunk.length;
            else for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          });
          body.on('end', resolve);
          body.on('error', reject);
        },
      )
      .on('error', reject);
  });
parentPort.postMessage({ lines, bytes, ms: performance.now() - t0 });
