// A floor for a usage-only reader: read every session file as bytes and JSON.parse only the lines
// that hold "token_count" or "token_usage_record" (found by a byte search), one thread, nothing else.
// Used by bench/import.bench.ts. Run: node bench/support/usage-floor.mjs DIR
import fs from 'node:fs';
import path from 'node:path';

const NEEDLES = [Buffer.from('"token_count"'), Buffer.from('"token_usage_record"')];
let parsed = 0;
let bytes = 0;
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.jsonl')) {
      const buf = fs.readFileSync(p);
      bytes += buf.length;
      let start = 0;
      while (start < buf.length) {
        let nl = buf.indexOf(0x0a, start);
        if (nl < 0) nl = buf.length;
        const line = buf.subarray(start, nl);
        if (NEEDLES.some((n) => line.includes(n))) {
          JSON.parse(line.toString('utf8'));
          parsed++;
        }
        start = nl + 1;
      }
    }
  }
};
walk(process.argv[2]);
console.log(JSON.stringify({ parsed, bytes }));
