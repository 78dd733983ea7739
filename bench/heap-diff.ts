// What grew between two V8 heap snapshots of one process (e.g. the server's, taken by
// `bench/load.bench.ts --heap-snapshots DIR --snapshot-at 60,230`): live objects and their shallow
// bytes per constructor (or per node type for strings, code and arrays), the largest changes first.
// Run: node --import tsx bench/heap-diff.ts FIRST.heapsnapshot SECOND.heapsnapshot [--top 25]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length !== 2) throw new Error('usage: heap-diff.ts FIRST.heapsnapshot SECOND.heapsnapshot');

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Totals = Map<string, { count: number; bytes: number }>;

function totals(file: string): { by: Totals; bytes: number } {
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const width = f.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
  const types = s.snapshot.meta.node_types[0];
  const by: Totals = new Map();
  let bytes = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    // Objects by constructor; strings, code, arrays and the rest by their type (their names are contents).
    const key = type === 'object' || type === 'closure' ? `${type} ${s.strings[s.nodes[i + nameAt]!]}` : `(${type})`;
    const size = s.nodes[i + sizeAt]!;
    const t = by.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += size;
    by.set(key, t);
    bytes += size;
  }
  return { by, bytes };
}

const [a, b] = positionals.map(totals);
const mb = (n: number) => (n / 2 ** 20).toFixed(2);
console.log(`total shallow size: ${mb(a!.bytes)} MB -> ${mb(b!.bytes)} MB (${mb(b!.bytes - a!.bytes)} MB)`);
const keys = new Set([...a!.by.keys(), ...b!.by.keys()]);
const rows = [...keys].map((k) => {
  const x = a!.by.get(k) ?? { count: 0, bytes: 0 };
  const y = b!.by.get(k) ?? { count: 0, bytes: 0 };
  return { k, count: y.count - x.count, bytes: y.bytes - x.bytes, from: x, to: y };
});
rows.sort((p, q) => Math.abs(q.bytes) - Math.abs(p.bytes));
for (const r of rows.slice(0, Number(values.top)))
  console.log(
    `${(r.bytes >= 0 ? '+' : '') + mb(r.bytes)} MB  ${(r.count >= 0 ? '+' : '') + r.count} objects  ` +
      `(${r.from.count} -> ${r.to.count})  ${r.k}`,
  );
