// `steward demo` at its default size, as a user runs it: the built CLI (bin/steward.js, after
// `npm run build`) as its own process under /usr/bin/time -v (CPU user + sys, wall, peak RSS), into a
// fresh SQLite data directory under bench/out or a fresh PostgreSQL schema, with the load average
// before and after (the machine is shared: CPU is the steadier figure). Then the archive is verified
// (`steward compliance verify`). `--no-bulk` measures the ingest path for every day (decisions/0044).
// Run: node --import tsx bench/demo.bench.ts [--dialect sqlite|postgres] [--users 10000] [--days 90]
//        [--archive-days 3] [--no-bulk]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { OUT, PG_URL } from './support/stores.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '90' },
    'archive-days': { type: 'string', default: '3' },
    'no-bulk': { type: 'boolean', default: false },
  },
});
const BIN = path.join(OUT, '..', '..', 'bin', 'steward.js');
const name = `demo-bench-${values['no-bulk'] ? 'ingest' : 'bulk'}`;
let store: string[];
if (values.dialect === 'sqlite') {
  const dir = path.join(OUT, `${name}-sqlite`);
  fs.rmSync(dir, { recursive: true, force: true });
  store = ['--data', dir];
} else {
  const schema = `bench_${name.replace(/\W/g, '_')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  store = ['--database-url', url.toString()];
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const started = new Date().toISOString();
const before = load();
const args = [
  'demo',
  ...store,
  '--users',
  values.users!,
  '--days',
  values.days!,
  '--archive-days',
  values['archive-days']!,
];
if (values['no-bulk']) args.push('--no-bulk');
// The bench's own settings are no steward configuration (steward refuses STEWARD_* keys it does
// not know): the child gets the store on its command line only.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEWARD_BENCH_')));
const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...args, '--json'], {
  encoding: 'utf8',
  maxBuffer: 1 << 26,
  env,
});
if (r.status !== 0) throw new Error(`steward demo failed (${r.status}): ${r.stderr.slice(-2000)}`);
const field = (label: string) => new RegExp(`${label}: (.*)`).exec(r.stderr)?.[1]?.trim();
const summary = JSON.parse(r.stdout);
const user = Number(field('User time \\(seconds\\)'));
const sys = Number(field('System time \\(seconds\\)'));
const verify = spawnSync(process.execPath, [BIN, 'compliance', 'verify', ...store, '--json'], {
  encoding: 'utf8',
  env,
});
console.log(
  JSON.stringify(
    {
      started,
      dialect: values.dialect,
      bulk: !values['no-bulk'],
      users: summary.users,
      events: summary.events,
      bulk_events: summary.bulkEvents,
      archived_events: summary.archivedEvents,
      review_events: summary.reviewEvents,
      cpu_s: { user, sys, total: Number((user + sys).toFixed(1)) },
      cpu_us_per_event: Math.round(((user + sys) * 1e6) / (summary.events + summary.reviewEvents)),
      wall: field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)'),
      peak_rss_mb: Math.round(Number(field('Maximum resident set size \\(kbytes\\)')) / 1024),
      load_before: before,
      load_after: load(),
      verify: verify.status === 0 ? 'ok' : `failed (${verify.status}): ${verify.stdout.slice(0, 500)}`,
    },
    null,
    2,
  ),
);
