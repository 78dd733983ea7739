// `steward import` as a use-case, on both databases: the fixtures (every format) land with the
// parser's numbers, content is stored, re-imports add nothing, a growing file read in steps equals
// one read, a rewritten or replaced file is re-read without double counting, and bad lines (a
// truncated record, garbage, binary junk, a 50 MB line) are reported with file and line while the
// rest is imported.
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { collectRollout } from '../../src/session-files/adapter/parser.js';
import { createRuntime } from '../../src/app/runtime.js';
import { importRollouts, type ImportSummary } from '../../src/session-files/import.service.js';
import { localOwner } from '../../src/session-files/local-user.service.js';
import { cliActor } from '../../src/cli/shared.js';
import type { Principal } from '../../src/ingest/pipeline/steps.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';
import { sessionItems } from '../support/compliance.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts');

async function fixtureCopies(dir: string): Promise<string[]> {
  // The captures' response ids restart per Codex process and repeat across files; make them unique
  // per file so that each file's numbers stand alone.
  const out: string[] = [];
  let n = 0;
  for (const sub of ['0.169/exec-resume', '0.169/compaction', '0.169/review', '0.169/fork', 'older']) {
    for (const name of (await readdir(path.join(FIX, sub))).filter((f) => f.endsWith('.jsonl')).sort()) {
      const text = (await readFile(path.join(FIX, sub, name), 'utf8')).replaceAll('"resp_', `"resp_f${n++}_`);
      const p = path.join(dir, 'sessions', sub.replace('/', '-'), name);
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, text);
      out.push(p);
    }
  }
  const gz = path.join(
    dir,
    'sessions',
    'tui',
    'rollout-2026-11-22T01-33-45-01a200e3-49f9-76d3-b635-cbe36ffb88db.jsonl.gz',
  );
  await mkdir(path.dirname(gz), { recursive: true });
  await copyFile(path.join(FIX, '0.169/tui', path.basename(gz)), gz);
  out.push(gz);
  return out;
}

async function count(
  store: TestStore,
  table: 'model_requests' | 'turns' | 'threads' | 'session_items' | 'tool_events',
): Promise<number> {
  if (table === 'session_items') return (await sessionItems(store.db)).length;
  const r = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function tokens(store: TestStore): Promise<number> {
  const r = await store.db
    .selectFrom('model_requests')
    .select((eb) => [eb.fn.sum<number>('input_tokens').as('i'), eb.fn.sum<number>('output_tokens').as('o')])
    .executeTakeFirstOrThrow();
  return Number(r.i ?? 0) + Number(r.o ?? 0);
}

for (const dialect of DIALECTS) {
  describe(`rollout import (${dialect})`, () => {
    let store: TestStore;
    let dir: string;
    let principal: Principal;
    const run = (paths: string[], extra: { now?: () => number } = {}): Promise<ImportSummary> =>
      importRollouts(createRuntime(store).ingest, {
        paths,
        principal,
        creditsPerUsd: 25,
        hostName: 'test-host',
        ...extra,
      });

    before(async () => {
      store = await makeStore(dialect);
      dir = await mkdtemp(path.join(os.tmpdir(), 'steward-import-'));
      principal = (await localOwner(store.db, 'dev@test-host', cliActor())).principal;
    });
    after(async () => {
      await store.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('imports every format with the parser numbers, stores the content, and a second import reads nothing', async () => {
      const files = await fixtureCopies(path.join(dir, 'fx'));
      let expResponses = 0;
      let expTokens = 0;
      let expContent = 0;
      for (const f of files) {
        const r = await collectRollout(f, { final: true });
        expResponses += r.stats.responses;
        expTokens += r.stats.tokens.total;
        expContent += r.content.length;
      }
      const s = await run([path.join(dir, 'fx', 'sessions')], { now: () => Date.now() + 3_600_000 });
      assert.equal(s.files.found, files.length);
      assert.equal(s.files.read, files.length);
      assert.deepEqual(s.errors, []);
      assert.equal(s.responses, expResponses);
      assert.equal(s.tokens.total, expTokens);
      assert.equal(await count(store, 'model_requests'), expResponses);
      assert.equal(await tokens(store), expTokens);
      assert.equal(await count(store, 'session_items'), expContent);
      const items = (await sessionItems(store.db)).map((r) => r.content);
      const kinds = new Set(items.map((c) => c.item_kind));
      for (const k of [
        'session',
        'turn_context',
        'user_message',
        'assistant_message',
        'tool_call',
        'reasoning',
        'compaction',
        'review',
      ])
        assert.ok(kinds.has(k), `content kind ${k}`);
      const body = items.find((c) => c.item_kind === 'tool_call').item;
      assert.ok(
        body.callId && body.arguments !== undefined && body.output !== undefined,
        'tool calls keep arguments and output',
      );
      const second = await run([path.join(dir, 'fx', 'sessions')], { now: () => Date.now() + 3_600_000 });
      assert.equal(second.files.read, 0);
      assert.equal(second.files.unchanged, files.length);
      assert.equal(second.lines, 0);
      assert.equal(await count(store, 'model_requests'), expResponses);
      assert.equal(await count(store, 'session_items'), expContent);
    });

    it('a growing file read in steps (a partial last line in between) equals one read', async () => {
      const src = path.join(
        FIX,
        '0.169/exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl',
      );
      const text = (await readFile(src, 'utf8'))
        .replaceAll('"resp_', '"resp_grow_')
        .replaceAll('01a200dc-', '01a200dd-');
      const whole = path.join(dir, 'grow-whole', path.basename(src).replace('01a200dc-', '01a200dd-'));
      await mkdir(path.dirname(whole), { recursive: true });
      await writeFile(whole, text);
      const want = await collectRollout(whole, { final: true });
      await rm(whole);
      const p = path.join(dir, 'grow', path.basename(whole));
      await mkdir(path.dirname(p), { recursive: true });
      const before = {
        req: await count(store, 'model_requests'),
        turns: await count(store, 'turns'),
        content: await count(store, 'session_items'),
        tokens: await tokens(store),
      };
      const cuts = [Math.floor(text.length / 3), Math.floor(text.length / 2) + 7, text.length];
      let written = 0;
      for (const cut of cuts) {
        await appendFile(p, text.slice(written, cut));
        written = cut;
        await run([path.dirname(p)], { now: () => Date.now() - 3_600_000 }); // not final: still being written
      }
      await run([path.dirname(p)], { now: () => Date.now() + 3_600_000 }); // idle now: final
      assert.equal((await count(store, 'model_requests')) - before.req, want.stats.responses);
      assert.equal((await count(store, 'turns')) - before.turns, want.stats.turns);
      assert.equal((await tokens(store)) - before.tokens, want.stats.tokens.total);
      assert.equal((await count(store, 'session_items')) - before.content, want.content.length);
    });

    it('a rewritten file (content check fails) and a replaced file (new inode) are re-read without double counting', async () => {
      const src = path.join(
        FIX,
        '0.169/compaction/rollout-2026-11-22T01-33-17-01a200e2-ded6-7281-b18e-0d6c8ab0a6e9.jsonl',
      );
      const p = path.join(dir, 'rewrite', path.basename(src));
      await mkdir(path.dirname(p), { recursive: true });
      const text = (await readFile(src, 'utf8')).replaceAll('"resp_', '"resp_rw_');
      await writeFile(p, text);
      const future = () => Date.now() + 3_600_000;
      await run([p], { now: future });
      const base = {
        req: await count(store, 'model_requests'),
        turns: await count(store, 'turns'),
        content: await count(store, 'session_items'),
        tokens: await tokens(store),
      };
      // Same inode, same size or larger, different bytes before the offset: compact JSON rewrite.
      const compact =
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.stringify(JSON.parse(l)))
          .join('\n') + '\n';
      await writeFile(p, compact + compact.split('\n')[0] + '\n');
      const s = await run([p], { now: future });
      assert.equal(s.files.reset, 1);
      assert.equal(await count(store, 'model_requests'), base.req);
      assert.equal(await count(store, 'turns'), base.turns);
      assert.equal(await tokens(store), base.tokens);
      assert.equal(await count(store, 'session_items'), base.content + 1, 'only the appended line is new content');
      // A new inode (written elsewhere and renamed over): read again from the start.
      await writeFile(p + '.tmp', text);
      await rename(p + '.tmp', p);
      const s2 = await run([p], { now: future });
      assert.equal(s2.files.reset, 1);
      assert.equal(await count(store, 'model_requests'), base.req);
      assert.equal(await tokens(store), base.tokens);
      assert.equal(
        await count(store, 'session_items'),
        base.content + 1,
        'content is keyed by (thread, ordinal): nothing twice',
      );
    });

    it('reports truncated, garbage, binary and 50 MB lines with file and line, and imports the rest', async () => {
      const src = path.join(
        FIX,
        '0.169/exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl',
      );
      const lines = (await readFile(src, 'utf8'))
        .replaceAll('"resp_', '"resp_bad_')
        .replaceAll('01a200dc-', '01a200de-')
        .split('\n')
        .filter(Boolean);
      const p = path.join(dir, 'bad', path.basename(src).replace('01a200dc-', '01a200de-'));
      await mkdir(path.dirname(p), { recursive: true });
      const out = createWriteStream(p);
      const w = (s: string | Buffer) =>
        new Promise<void>((res) => (out.write(s) ? res() : out.once('drain', () => res())));
      const bad: Record<number, string> = {};
      let lineNo = 0;
      for (let i = 0; i < lines.length; i++) {
        if (i === 3) {
          await w(lines[5]!.slice(0, 120) + '\n'); // a truncated record
          bad[++lineNo] = 'truncated_json';
          await w('this is not json at all\n');
          bad[++lineNo] = 'garbage';
          await w(Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]), Buffer.from('\u0000junk\n')]));
          bad[++lineNo] = 'binary';
        }
        if (i === 12) {
          // A 50 MB tool output line: read from its head, reported, never held whole.
          await w(
            '{"timestamp":"2026-11-22T01:26:10.700Z","type":"response_item","payload":{"type":"function_call_output","call_id":"call_huge","output":"',
          );
          const chunk = 'x'.repeat(1 << 20);
          for (let k = 0; k < 50; k++) await w(chunk);
          await w('"}}\n');
          lineNo++;
        }
        await w(lines[i]! + '\n');
        lineNo++;
      }
      await new Promise<void>((res) => out.end(res));
      const want = await collectRollout(src, { final: true });
      const beforeReq = await count(store, 'model_requests');
      const s = await run([p], { now: () => Date.now() + 3_600_000 });
      assert.deepEqual(s.errors, []);
      assert.equal(s.skipped.total, 3);
      assert.deepEqual(s.skipped.byReason, { truncated_json: 1, garbage: 1, binary: 1 });
      for (const l of s.skipped.lines) {
        assert.equal(l.file, p);
        assert.equal(bad[l.line], l.reason, `line ${l.line}`);
      }
      assert.equal(s.trimmed.length, 1);
      assert.equal(s.trimmed[0]!.file, p);
      assert.ok(s.trimmed[0]!.bytes > 50 * (1 << 20));
      // Everything else is there: every response and turn of the original file.
      assert.equal(s.responses, want.stats.responses);
      assert.equal(s.turns, want.stats.turns);
      assert.equal((await count(store, 'model_requests')) - beforeReq, want.stats.responses);
    });
  });
}
