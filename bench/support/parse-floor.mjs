// A floor for any importer that must look inside every line: read every session file and
// JSON.parse each of its lines, storing nothing. Used by bench/import.bench.ts.
// Run: node bench/support/parse-floor.mjs DIR
import fs from 'node:fs';
import path from 'node:path';

let lines = 0;
let bytes = 0;
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.jsonl')) {
      const text = fs.readFileSync(p, 'utf8');
      bytes += text.length;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        JSON.parse(line);
        lines++;
      }
    }
  }
};
walk(process.argv[2]);
console.log(JSON.stringify({ lines, chars: bytes }));
