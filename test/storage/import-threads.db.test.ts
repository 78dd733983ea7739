// `steward import` on reader threads (decisions/0048), on both databases: files read on threads in
// small batches are written file by file, each file's records in its order, exactly as one reader
// on the main thread writes them; a file that fails on a thread is reported by name and the others
// are imported; the batches held unwritten never pass threads x credits; an idle file is finalized
// from its stored parser state without being read again.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { collectRollout } from '../../src/session-files/adapter/parser.js';
import { createRuntime } from '../../src/app/runtime.js';
import { importRollouts, type ImportOptions, type ImportSummary } from '../../src/session-files/import.service.js';
import { localOwner } from '../../src/session-files/local-user.service.js';
import { cliActor } from '../../src/cli/shared.js';
import type { Principal } from '../../src/ingest/pipeline/steps.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';
import { sessionItems } from '../support/compliance.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts');
const SUBS = ['0.169/exec-resume', '0.169/compaction', '0.169/review', '0.169/fork', 'older'];
const LATER = () => Date.now() + 3_600_000;

// Every fixture once, with response ids made unique per copy (`tag` keeps two corpora apart).
async function corpus(dir: string, tag: string): Promise<string[]> {
  const out: string[] = [];
  let n = 0;
  for (const sub of SUBS)
    for (const name of (await readdir(path.join(FIX, sub))).filter((f) => f.endsWith('.jsonl')).sort()) {
      const text = (await readFile(path.join(FIX, sub, name), 'utf8')).replaceAll('"resp_', `"resp_${tag}${n++}_`);
      const p = path.join(dir, sub.replace('/', '-'), name);
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, text);
      out.push(p);
    }
  return out.sort();
}

async function count(store: TestStore, table: 'model_requests' | 'turns'): Promise<number> {
  const r = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

// The archive's session items in chain order, as (file's thread, line, offset, kind).
async function chainOrder(store: TestStore, ws: string): Promise<string[]> {
  return (await sessionItems(store.db, ws)).map(
    ({ content: c }) => `${c.thread_id} ${c.line_no} ${c.byte_offset} ${c.item_kind}`,
  );
}

for (const dialect of DIALECTS) {
  describe(`rollout import on reader threads (${dialect})`, () => {
    let store: TestStore;
    let dir: string;
    const owner = async (email: string, on = store): Promise<Principal> =>
      (await localOwner(on.db, email, cliActor())).principal;
    const run = (
      principal: Principal,
      paths: string[],
      extra: Partial<ImportOptions> = {},
      on = store,
    ): Promise<ImportSummary> =>
      importRollouts(createRuntime(on).ingest, { paths, principal, creditsPerUsd: 25, now: LATER, ...extra });

    before(async () => {
      store = await makeStore(dialect);
      dir = await mkdtemp(path.join(os.tmpdir(), 'steward-import-threads-'));
    });
    after(async () => {
      await store.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('writes what one reader writes, file by file and each file in its order, within threads x credits batches', async () => {
      // Ground truth from the parser alone: each file's content records, in file order.
      const files = await corpus(path.join(dir, 'a'), 'a');
      const want: string[] = [];
      let responses = 0;
      for (const f of files) {
        const r = await collectRollout(f, { final: true });
        responses += r.stats.responses;
        for (const c of r.content) want.push(`${c.threadId || c.attributedThreadId} ${c.line} ${c.offset} ${c.kind}`);
      }
      // The same files into a second store, read on the main thread.
      const single = await makeStore(dialect);
      const one = await owner('dev@test', single);
      await run(one, [path.join(dir, 'a')], { threads: 0 }, single);
      const singleOrder = await chainOrder(single, one.workspaceId);
      await single.cleanup();
      const many = await owner('dev@test');
      let seen: { threads: number; peak: { batches: number; bytes: number } } | undefined;
      const small = { batchRows: 3, batchBytes: 4096, credits: 2 };
      const s = await run(many, [path.join(dir, 'a')], { threads: 2, ...small, observe: (o) => (seen = o) });
      assert.deepEqual(s.errors, []);
      assert.equal(s.files.read, files.length);
      assert.equal(s.responses, responses);
      assert.equal(s.stored.requests, responses);
      assert.equal(s.stored.content, want.length);
      assert.deepEqual(await chainOrder(store, many.workspaceId), want, 'every item, file by file, in file order');
      assert.deepEqual(singleOrder, want);
      assert.equal(seen?.threads, 2);
      assert.ok(seen!.peak.batches >= 1 && seen!.peak.batches <= 2 * small.credits, `peak ${seen!.peak.batches}`);
      // Again: nothing new, nothing read.
      const again = await run(many, [path.join(dir, 'a')], { threads: 2 });
      assert.equal(again.files.unchanged, files.length);
      assert.equal(again.lines, 0);
    });

    it('a file that fails on a reader thread is reported with its name; the other files are imported', async () => {
      const files = await corpus(path.join(dir, 'c'), 'c');
      const victim = files[3]!;
      const others = files.filter((f) => f !== victim);
      let responses = 0;
      for (const f of others) responses += (await collectRollout(f, { final: true })).stats.responses;
      // A store of its own: the fixtures' thread and turn ids repeat the first test's.
      const own = await makeStore(dialect);
      const principal = await owner('dev@test', own);
      let gone = false;
      const s = await run(
        principal,
        [path.join(dir, 'c')],
        {
          threads: 2,
          batchRows: 3,
          // The files are planned (listed, stat'ed) by now and the threads not started: the victim
          // disappears before a thread opens it.
          onProgress: () => {
            if (!gone) rmSync(victim);
            gone = true;
          },
        },
        own,
      );
      await own.cleanup();
      assert.equal(s.files.failed, 1);
      assert.equal(s.files.read, others.length);
      assert.equal(s.errors.length, 1);
      assert.equal(s.errors[0]!.file, victim);
      assert.equal(s.errors[0]!.code, 'ENOENT');
      assert.equal(s.responses, responses);
      assert.equal(s.stored.requests, responses);
    });

    it('an idle file is finalized from its stored parser state, without reading it again', async () => {
      // A session cut off after its first prompt: until the file is idle its thread and turn wait.
      const src = path.join(
        FIX,
        '0.169/exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl',
      );
      const lines = readFileSync(src, 'utf8')
        .replaceAll('"resp_', '"resp_idle_')
        .replaceAll('01a200dc-', '01a200df-')
        .split('\n')
        .filter(Boolean);
      const text = lines.slice(0, 5).join('\n') + '\n';
      const p = path.join(dir, 'idle', path.basename(src).replace('01a200dc-', '01a200df-'));
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, text);
      // A whole second: set again below exactly (a Date's fraction may not survive utimes).
      const mtime = Math.floor(Date.now() / 1000) - 10;
      await utimes(p, mtime, mtime);
      const want = await collectRollout(p, { final: true });
      const open = await collectRollout(p, { final: false });
      assert.ok(want.stats.turns > open.stats.turns, 'the fixture keeps a turn waiting until the file is final');
      const principal = await owner('dev@test');
      const before = { req: await count(store, 'model_requests'), turns: await count(store, 'turns') };
      const first = await run(principal, [p], { now: () => Date.now() - 3_600_000 }); // still being written
      assert.equal(first.files.read, 1);
      assert.equal((await count(store, 'turns')) - before.turns, open.stats.turns);
      // Same inode, size and mtime, other bytes: a read of the file (or of its content check)
      // would see them; finalizing from the stored state does not.
      await writeFile(p, 'x'.repeat(text.length));
      await utimes(p, mtime, mtime);
      const idle = await run(principal, [p], { now: LATER });
      assert.equal(idle.files.reset, 0);
      assert.equal(idle.files.unchanged, 1);
      assert.deepEqual(idle.errors, []);
      assert.equal(idle.skipped.total, 0);
      assert.equal((await count(store, 'turns')) - before.turns, want.stats.turns);
      assert.equal((await count(store, 'model_requests')) - before.req, want.stats.responses);
      const done = await run(principal, [p], { now: LATER });
      assert.equal(done.files.unchanged, 1);
      assert.equal(done.lines, 0);
    });
  });
}
