// `steward import` as a real process with files it may not read and files with bad lines: every
// problem is reported with its file (and line), the rest is imported, the exit code says that some
// files could not be read. Run as an unprivileged user when the tests run as root (root reads
// every file whatever its mode). Once reading on the main thread, once on reader threads.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLocalStore, type LocalStore } from './support/local-store.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts');
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

for (const [how, threads] of [
  ['on the main thread', '0'],
  ['on reader threads', '2'],
] as const)
  describe(`e2e: steward import ${how} reports unreadable files and bad lines and imports the rest`, () => {
    let store: LocalStore;
    let dir: string;
    let locked: string;
    let bad: string;

    before(async () => {
      store = await makeLocalStore('sqlite');
      dir = await mkdtemp(path.join(os.tmpdir(), 'steward-import-errors-'));
      const sessions = path.join(dir, 'sessions', '2026', '11', '22');
      await mkdir(sessions, { recursive: true });
      await cp(path.join(FIX, '0.169/exec-resume'), sessions, { recursive: true });
      locked = path.join(sessions, 'rollout-2026-11-22T01-33-17-01a200e2-ded6-7281-b18e-0d6c8ab0a6e9.jsonl');
      await cp(path.join(FIX, '0.169/compaction', path.basename(locked)), locked);
      bad = path.join(sessions, 'rollout-2025-10-14T09-00-00-0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001.jsonl');
      const lines = (await readFile(path.join(FIX, 'older', path.basename(bad)), 'utf8')).split('\n');
      lines.splice(
        2,
        0,
        '{"timestamp":"2025-10-14T09:00:01.000Z","type":"event_msg","payload":{"type":"tok',
        '\u0001\u0002 garbage \u0000',
      );
      await writeFile(bad, lines.join('\n'));
      await chmod(locked, 0o000);
      if (asRoot) {
        // The unprivileged user must reach the files and the store.
        for (const d of [dir, store.root]) await chmod(d, 0o777);
        await mkdir(path.join(store.root, 'data'), { recursive: true, mode: 0o777 });
        await chmod(path.join(store.root, 'data'), 0o777);
        for (const d of ['sessions', 'sessions/2026', 'sessions/2026/11', 'sessions/2026/11/22'])
          await chmod(path.join(dir, d), 0o755);
      }
    });
    after(async () => {
      await chmod(locked, 0o644).catch(() => undefined);
      await store?.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('names the unreadable file and each bad line, imports the others, exits 1', async () => {
      const as = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
      const env = { HOME: dir, USER: 'dev' };
      const r = await store.run(['import', path.join(dir, 'sessions'), '--json', '--threads', threads], {
        env,
        ...as,
      });
      assert.equal(r.code, 1, `exit code\n${r.stderr}`);
      const s = JSON.parse(r.stdout);
      assert.equal(s.files.found, 3);
      assert.equal(s.files.read, 2);
      assert.equal(s.files.failed, 1);
      assert.equal(s.errors.length, 1);
      assert.equal(s.errors[0].file, locked);
      assert.equal(s.errors[0].code, 'EACCES');
      assert.equal(s.skipped.total, 2);
      assert.deepEqual(
        s.skipped.lines.map((l: { file: string; line: number; reason: string }) => [
          path.basename(l.file),
          l.line,
          l.reason,
        ]),
        [
          [path.basename(bad), 3, 'truncated_json'],
          [path.basename(bad), 4, 'binary'],
        ],
      );
      assert.equal(s.responses, 3 + 5, 'the exec-resume file (3) and every response of the older file (5)');
      // The text output names the same problems.
      const text = await store.run(['import', path.join(dir, 'sessions'), '--threads', threads], { env, ...as });
      assert.match(
        text.stdout,
        new RegExp(`${locked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(EACCES|permission denied)`, 'i'),
      );
    });
  });
