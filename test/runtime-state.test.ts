// The ingest spine keeps no state in its modules: the group writer, its thread and every cache are
// made by the runtime factory (src/app/runtime.ts) and passed down. A module-level Map, WeakMap or
// `let` here would be one shared by every store and app in the process (tests run several).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';

const ROOT = path.join(import.meta.dirname, '..', 'src');
const SPINE = [
  'ingest',
  'compliance/chain',
  'compliance/policy.service.ts',
  'analytics/usage.service.ts',
  'platform/storage/database.ts',
  'platform/storage/unit-of-work.ts',
];
// Memos of pure derivations (constant per key, whatever the store) are not state.
const ALLOWED = new Set([
  'ingest/otlp/relevance.ts: COUNTED',
  'ingest/otlp/relevance.ts: KNOWN_NOISE',
  'ingest/otlp/relevance.ts: KEPT',
  'platform/storage/database.ts: pgPools',
  'platform/storage/database.ts: sqliteHandles',
]);

const files = (rel: string): string[] => {
  const abs = path.join(ROOT, rel);
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs).flatMap((f) => files(path.join(rel, f)));
};

it('the ingest spine has no module-level Map, Set, WeakMap or let, and patches no driver method', () => {
  const found: string[] = [];
  for (const rel of SPINE.flatMap(files).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    for (const m of text.matchAll(
      /^(?:export )?(?:const|let) (\w+)(?::[^=\n]+)? = new (?:Map|WeakMap|Set|WeakSet)\b/gm,
    )) {
      if (!ALLOWED.has(`${rel}: ${m[1]}`)) found.push(`${rel}: ${m[1]}`);
    }
    for (const m of text.matchAll(/^(?:export )?let (\w+)/gm)) found.push(`${rel}: let ${m[1]}`);
    if (/\.query = /.test(text)) found.push(`${rel}: replaces a client's query method`);
  }
  assert.deepEqual(found, []);
});
