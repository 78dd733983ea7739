// The rules of the house (docs/decisions/0014-capability-rooms.md), checked over a source tree.
// Returns one line per broken rule; the architecture test runs it on src/ and on small trees that
// break each rule once, so a rule that no longer catches anything fails too.
import fs from 'node:fs';
import path from 'node:path';

// Rooms from the ground up: a file may import its own room or one below it, never one above.
export const ROOMS = [
  'core',
  'config',
  'platform/workers',
  'platform/storage',
  'platform/tenancy',
  'platform/http',
  'compliance',
  'access',
  'accounts',
  'ingest',
  'session-files',
  'code-review',
  'analytics',
  'migrations',
  'app',
  'cli',
] as const;
export const CAPABILITIES = ['compliance', 'access', 'accounts', 'ingest', 'session-files', 'code-review', 'analytics'];
// Code that runs on a developer's machine (steward push / collect): none of the server may load there.
const CLIENT = 'session-files/client/';
// platform/workers: thread helpers only (the report's reader threads), nothing of a server.
const CLIENT_MAY_REACH = ['core/', 'config/', 'platform/workers/', 'session-files/adapter/', CLIENT];
const DRIVER = /from ['"](better-sqlite3|pg|pg-copy-streams)['"]/;
const MAX_LINES = 400;
const MAX_WIDTH = 120;

export interface Limits {
  maxLines: number;
  maxWidth: number;
}

function* tsFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

export function roomOf(rel: string): string | undefined {
  return ROOMS.find((r) => rel === r || rel.startsWith(r + '/'));
}

const capabilityOf = (rel: string) => CAPABILITIES.find((c) => rel.startsWith(c + '/'));
// A capability's public entries: its index.ts, and the client's own for code that ships to clients.
const isEntry = (rel: string) => /^[a-z-]+\/index\.ts$/.test(rel) || rel === CLIENT + 'index.ts';

interface Import {
  target: string; // relative to src, .ts
  typeOnly: boolean;
}

function importsOf(text: string, file: string, src: string): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/g,
  )) {
    const abs = path.resolve(path.dirname(file), m[2]).replace(/\.js$/, '.ts');
    out.push({ target: path.relative(src, abs).split(path.sep).join('/'), typeOnly: !!m[1] });
  }
  for (const m of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const abs = path.resolve(path.dirname(file), m[1]).replace(/\.js$/, '.ts');
    out.push({ target: path.relative(src, abs).split(path.sep).join('/'), typeOnly: false });
  }
  return out;
}

export function checkTree(src: string, limits: Limits = { maxLines: MAX_LINES, maxWidth: MAX_WIDTH }): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(src)) {
    const rel = path.relative(src, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    const room = roomOf(rel);
    if (!room) {
      problems.push(`${rel} is in no room (${ROOMS.join(', ')})`);
      continue;
    }
    const lines = text.split('\n');
    if (!rel.endsWith('.test.ts') && lines.length > limits.maxLines)
      problems.push(`${rel} has ${lines.length} lines (at most ${limits.maxLines})`);
    const wide = lines.findIndex((l) => l.length > limits.maxWidth);
    if (wide >= 0) problems.push(`${rel}:${wide + 1} is wider than ${limits.maxWidth} characters`);
    if (DRIVER.test(text) && room !== 'platform/storage')
      problems.push(`${rel} imports a database driver (only platform/storage may)`);
    if (/process\.env/.test(text) && room !== 'config') problems.push(`${rel} reads process.env (only config may)`);
    if (rel.endsWith('.test.ts')) continue;
    const targets: string[] = [];
    for (const imp of importsOf(text, file, src)) {
      const troom = roomOf(imp.target);
      if (!troom) continue;
      targets.push(imp.target);
      // Table types are the shared schema's parts (platform/storage/schema.ts composes them).
      const tableTypes = imp.typeOnly && imp.target.endsWith('.tables.ts');
      if (ROOMS.indexOf(troom as never) > ROOMS.indexOf(room as never) && !tableTypes)
        problems.push(`${rel} -> ${imp.target}: imports a room above its own`);
      const from = capabilityOf(rel);
      const to = capabilityOf(imp.target);
      if (to && to !== from && !isEntry(imp.target) && !tableTypes)
        problems.push(`${rel} -> ${imp.target}: reaches into ${to} past its index.ts`);
      const isReceiver = /\.(routes|receiver)\.ts$/.test(rel) || room === 'cli';
      if (isReceiver && imp.target.endsWith('.repository.ts'))
        problems.push(`${rel} -> ${imp.target}: a route or command imports a repository`);
    }
    graph.set(rel, targets);
  }
  // Client code, and everything it loads, stays within what a client may run.
  const seen = new Set<string>();
  const visit = (rel: string, via: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    if (!CLIENT_MAY_REACH.some((p) => rel.startsWith(p)))
      problems.push(`${via} -> ${rel}: client code loads server code`);
    for (const t of graph.get(rel) ?? []) visit(t, rel);
  };
  for (const rel of graph.keys()) if (rel.startsWith(CLIENT)) visit(rel, rel);
  return problems;
}
