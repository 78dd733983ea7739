// Which B-trees an ingest commit writes, on SQLite: ingests N one-request commits with no
// checkpoints, then counts the WAL's frames per page (frame headers) and names each page's B-tree
// (dbstat). Pages written per commit are most of a commit's cost (decisions/0011).
// Run: node --import tsx bench/wal-pages.bench.ts [--requests N] [--random-ids]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createRuntime } from '../src/app/runtime.js';
import { ingestOtlpLogs } from '../src/ingest/otlp/otlp-ingest.service.js';
import { decodeProtobuf } from '../src/ingest/otlp/decode.js';
import { addUser } from '../src/access/users.service.js';
import { ensureBootstrapped } from '../src/access/workspaces.service.js';
import { openStore } from '../src/platform/storage/database.js';
import { migrateToLatest } from '../src/migrations/migrate.js';
import { buildBodies } from './support/otlp-payloads.js';
import { OUT } from './support/stores.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '200' }, 'random-ids': { type: 'boolean', default: false } },
});
const N = Number(values.requests);
const WARM = 100;
const file = path.join(OUT, 'wal_pages.db');
fs.mkdirSync(OUT, { recursive: true });
for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
const store = openStore({ sqliteFile: file, walAutocheckpoint: 0 });
await migrateToLatest(store.db);
const boot = await ensureBootstrapped(store.db);
const users: string[] = [];
for (let u = 0; u < 20; u++)
  users.push(
    (
      await addUser(
        store.db,
        { workspaceId: boot.workspace.id, email: `dev${u}@bench.example` },
        { type: 'system', id: null },
      )
    ).id,
  );
const bodies = buildBodies(N + WARM, 10, 7, 'protobuf', values['random-ids']);
const ingest = createRuntime(store).ingest;
const post = (i: number) =>
  ingestOtlpLogs(
    ingest,
    { workspaceId: boot.workspace.id, userId: users[i % 20], keyId: null, sharedCollector: false },
    decodeProtobuf(bodies[i]),
    25,
  );
// Warm-up, then an empty log: what follows is N commits of one request each.
for (let i = 0; i < WARM; i++) await post(i);
await sql.raw('pragma wal_checkpoint(TRUNCATE)').execute(store.db);
for (let i = WARM; i < N + WARM; i++) await post(i);

const wal = fs.readFileSync(file + '-wal');
const pageSize = wal.readUInt32BE(8);
const frames = new Map<number, number>();
let commits = 0;
let total = 0;
for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
  const page = wal.readUInt32BE(off);
  frames.set(page, (frames.get(page) ?? 0) + 1);
  total++;
  if (wal.readUInt32BE(off + 4) !== 0) commits++; // a commit frame records the database size
}
const owner = new Map(
  (await sql<{ name: string; pageno: number }>`select name, pageno from dbstat`.execute(store.db)).rows.map((r) => [
    r.pageno,
    r.name,
  ]),
);
const byTree = new Map<string, { frames: number; pages: number }>();
for (const [page, n] of frames) {
  const t = byTree.get(owner.get(page) ?? '(free or new)') ?? { frames: 0, pages: 0 };
  t.frames += n;
  t.pages++;
  byTree.set(owner.get(page) ?? '(free or new)', t);
}
console.log(
  `${commits} commits of 210 records, ${total} frames of ${pageSize} bytes: ${(total / commits).toFixed(1)} pages per commit (${values['random-ids'] ? 'random' : 'UUIDv7'} conversation ids)`,
);
for (const [name, t] of [...byTree].sort((a, b) => b[1].frames - a[1].frames))
  console.log(
    `${(t.frames / commits).toFixed(1).padStart(7)} pages/commit  ${String(t.pages).padStart(6)} distinct  ${name}`,
  );
await store.close();
