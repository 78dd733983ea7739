// ccusage as an independent judge. A corpus of real Codex CLI (0.169) session files is built
// against the loopback mock model (three models, usage varying per request, a tool call, a resume,
// a fork, a compaction, a review), then `steward report daily|monthly --json` (SQLite and
// PostgreSQL) and `ccusage codex daily|monthly --json --offline` on the same CODEX_HOME must agree
// on every token field per period and model and on cost to the cent, in several time zones; the
// thread and turn counts must be what the test drove, and per-model costs what the rates written
// out here give. Then the same on a corpus of more than a thousand session files made from the real
// fixtures (bench/support/short-corpus.ts, each copy a session of its own), through the usage-only
// pass, fresh and from its summary cache.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockModel, type MockModel, type RecordedResponse } from './support/mock-model.js';
import {
  makeCodexHome,
  runCodex,
  execArgs,
  listRollouts,
  CODEX_JS,
  type CodexHome,
  type CodexRun,
} from './support/codex.js';
import { makeLocalStore, cleanEnv, collectRun, spawnSteward, type LocalStore } from './support/local-store.js';
import { copyOf, shortTemplates } from '../../bench/support/short-corpus.js';
import { prng } from '../../bench/support/prng.js';
import { DIALECTS } from './support/steward.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CCUSAGE = path.join(REPO, 'node_modules/.bin/ccusage');
const skip = !existsSync(CODEX_JS)
  ? 'codex CLI not installed (npm i)'
  : !existsSync(CCUSAGE)
    ? 'ccusage not installed (npm i)'
    : false;

// USD per million tokens (uncached input, cached input, output), written out here; ccusage
// (LiteLLM) and Steward's rate card agree on these models below 272K input tokens per request.
const RATES: Record<string, [number, number, number]> = {
  'gpt-5.5': [5, 0.5, 30],
  'gpt-5': [1.25, 0.125, 10],
  'gpt-5-mini': [0.25, 0.025, 2],
};
const TOKEN_FIELDS = [
  'inputTokens',
  'cacheReadTokens',
  'cacheCreationTokens',
  'outputTokens',
  'reasoningOutputTokens',
  'totalTokens',
] as const;
const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kathmandu'];

function ok(r: CodexRun, what: string) {
  assert.equal(r.timedOut, false, `${what}: codex timed out`);
  assert.equal(r.code, 0, `${what}: codex exited ${r.code}\n${r.stderr.slice(-3000)}`);
}

function ccusage(codexHome: string, args: string[]): Promise<any> {
  const p = spawn(CCUSAGE, ['codex', ...args, '--json', '--offline'], {
    env: cleanEnv({ CODEX_HOME: codexHome, HOME: path.join(codexHome, '..', 'home'), NO_COLOR: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectRun(p).then((r) => {
    assert.equal(r.code, 0, `ccusage ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  });
}

type Period = Record<string, any> & { models: Record<string, Record<string, number | boolean>> };

function comparePeriods(ours: Period[], theirs: Period[], key: string, what: string) {
  assert.deepEqual(
    ours.map((p) => p[key]),
    theirs.map((p) => p[key]),
    `${what}: same periods`,
  );
  theirs.forEach((t, i) => {
    const o = ours[i]!;
    for (const f of TOKEN_FIELDS) assert.equal(o[f], t[f], `${what} ${t[key]} ${f}`);
    assert.ok(
      Math.abs(o.costUSD - t.costUSD) < 0.005,
      `${what} ${t[key]} cost: steward ${o.costUSD}, ccusage ${t.costUSD}`,
    );
    assert.deepEqual(Object.keys(o.models).sort(), Object.keys(t.models).sort(), `${what} ${t[key]} models`);
    for (const [m, tm] of Object.entries(t.models)) {
      for (const f of TOKEN_FIELDS) assert.equal(o.models[m]![f], tm[f], `${what} ${t[key]} ${m} ${f}`);
      assert.equal(o.models[m]!.isFallback, tm.isFallback, `${what} ${t[key]} ${m} isFallback`);
    }
  });
}

describe('e2e: steward report agrees with ccusage on real Codex session files', { skip }, () => {
  let mock: MockModel;
  let home: CodexHome;
  const driven = { threads: 0, turns: 0 };
  let responses: RecordedResponse[] = [];

  before(async () => {
    // Usage varies per request (and stays under the 272K long-context threshold).
    mock = await startMockModel({
      usage: (c) => ({
        input_tokens: 4_321 + c.index * 1_777,
        cached_input_tokens: 1_024 + c.index * 431,
        output_tokens: 97 + c.index * 53,
        reasoning_tokens: 11 + c.index * 9,
      }),
    });
    home = await makeCodexHome({ mockUrl: mock.url, git: true });
    ok(await runCodex(home, execArgs(home, 'run echo hi in the shell')), 'exec with a tool call');
    ok(await runCodex(home, execArgs(home, 'second turn, no tools please', { resumeLast: true })), 'resume');
    driven.threads += 1;
    driven.turns += 2;
    ok(await runCodex(home, execArgs(home, 'hello, no tools', { extra: ['-m', 'gpt-5-mini'] })), 'gpt-5-mini');
    driven.threads += 1;
    driven.turns += 1;
    const first = JSON.parse(readFileSync((await listRollouts(home))[0]!, 'utf8').split('\n')[0]!).payload.id as string;
    ok(
      await runCodex(home, [
        'exec',
        '--skip-git-repo-check',
        '-C',
        home.workDir,
        'fork',
        first,
        'forked turn, no tools',
      ]),
      'fork',
    );
    driven.threads += 1;
    driven.turns += 1;
    const compact = ['-m', 'gpt-5', '-c', 'model_auto_compact_token_limit=1500'];
    ok(await runCodex(home, execArgs(home, 'compaction turn one, no tools', { extra: compact })), 'compaction 1');
    ok(
      await runCodex(home, execArgs(home, 'compaction turn two, no tools', { extra: compact, resumeLast: true })),
      'compaction 2',
    );
    driven.threads += 1;
    driven.turns += 2;
    writeFileSync(path.join(home.workDir, 'hello.py'), 'def greet(name):\n    return "hi"\n');
    ok(await runCodex(home, ['review', '--uncommitted']), 'review');
    driven.threads += 1; // the review's sub-agent is rolled up into its parent thread
    driven.turns += 1;
    responses = [...mock.responses];
    // The corpus has what the test meant to drive.
    assert.deepEqual([...new Set(responses.map((r) => r.model))].sort(), ['gpt-5', 'gpt-5-mini', 'gpt-5.5']);
    assert.ok(responses.some((r) => r.kind === 'tool_call') && responses.some((r) => r.kind === 'review'));
    assert.equal(new Set(responses.map((r) => r.threadId)).size, driven.threads);
    assert.equal(new Set(responses.map((r) => r.turnId)).size, driven.turns);
    const files = await listRollouts(home);
    assert.equal(files.length, 6, 'five threads and the review sub-agent');
    assert.ok(
      files.some((f) => readFileSync(f, 'utf8').includes('"type":"compacted"')),
      'a compaction happened',
    );
    assert.ok(
      files.some((f) => readFileSync(f, 'utf8').includes('"forked_from_id"')),
      'a fork happened',
    );
  });

  after(async () => {
    await mock?.close();
    await home?.cleanup();
  });

  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      let store: LocalStore;
      before(async () => {
        store = await makeLocalStore(dialect);
      });
      after(async () => {
        await store?.cleanup();
      });
      const env = () => ({ CODEX_HOME: home.dir, HOME: path.join(home.root, 'home') });

      it('daily and monthly: every token field, cost to the cent, per period and model, in three time zones', async () => {
        for (const tz of ZONES) {
          // The usage-only pass (the default) and the full import (--full) give the same report.
          const ours = await store.json(['report', 'daily', '--timezone', tz], { env: env() });
          const full = await store.json(['report', 'daily', '--full', '--timezone', tz], { env: env() });
          assert.deepEqual(ours.daily, full.daily, `usage-only pass = full import, ${tz}`);
          assert.deepEqual(ours.totals, full.totals);
          const theirs = await ccusage(home.dir, ['daily', '--timezone', tz]);
          assert.equal(ours.timezone, tz);
          comparePeriods(ours.daily, theirs.daily, 'date', `daily ${tz} (${dialect})`);
          for (const f of TOKEN_FIELDS) assert.equal(ours.totals[f], theirs.totals[f], `totals ${f}`);
          assert.ok(Math.abs(ours.totals.costUSD - theirs.totals.costUSD) < 0.005);
        }
        const ours = await store.json(['report', 'monthly', '--timezone', 'UTC', '--no-import'], { env: env() });
        comparePeriods(
          ours.monthly,
          (await ccusage(home.dir, ['monthly', '--timezone', 'UTC'])).monthly,
          'month',
          `monthly (${dialect})`,
        );
      });

      it('thread and turn counts are what the test drove; per-model cost from the written-out rates', async () => {
        const r = await store.json(['report', 'daily', '--timezone', 'UTC'], { env: env() });
        assert.equal(r.totals.threads, driven.threads);
        assert.equal(r.totals.turns, driven.turns);
        assert.equal(r.totals.requests, responses.length);
        const models: Record<string, any> = {};
        for (const d of r.daily)
          for (const [m, f] of Object.entries(d.models as Record<string, any>))
            models[m] = { cost: (models[m]?.cost ?? 0) + f.costUSD, requests: (models[m]?.requests ?? 0) + f.requests };
        for (const [m, [inp, cached, out]] of Object.entries(RATES)) {
          const mine = responses.filter((x) => x.model === m);
          const usd = mine.reduce(
            (s, x) =>
              s +
              ((x.usage.input_tokens - x.usage.cached_input_tokens) * inp +
                x.usage.cached_input_tokens * cached +
                x.usage.output_tokens * out) /
                1e6,
            0,
          );
          assert.equal(models[m].requests, mine.length, `${m} requests`);
          assert.ok(Math.abs(models[m].cost - usd) < 1e-9, `${m}: ${models[m].cost} vs ${usd}`);
        }
        const sessions = await store.json(['report', 'session', '--no-import'], { env: env() });
        assert.equal(
          sessions.sessions.length,
          driven.threads,
          'one row per thread (the review sub-agent is in its parent)',
        );
        assert.equal(sessions.totals.totalTokens, r.totals.totalTokens);
      });

      it('a second import reads nothing and changes nothing', async () => {
        const before = await store.json(['report', 'daily', '--timezone', 'UTC', '--no-import'], { env: env() });
        const imp = await store.json(['import'], { env: env() });
        assert.equal(imp.files.read, 0);
        assert.equal(imp.files.unchanged, 6);
        const again = await store.json(['report', 'daily', '--timezone', 'UTC'], { env: env() });
        assert.deepEqual(again.daily, before.daily);
        assert.deepEqual(again.totals, before.totals);
      });
    });
  }
});

describe('e2e: the usage-only pass agrees with ccusage on 1,200 session files', {
  skip: existsSync(CCUSAGE) ? false : 'ccusage not installed (npm i)',
}, () => {
  const FILES = 1_200;
  const root = mkdtempSync(path.join(os.tmpdir(), 'steward-e2e-many-'));
  const codexHome = path.join(root, 'codex');
  const env = cleanEnv({ CODEX_HOME: codexHome, HOME: path.join(root, 'home'), NO_COLOR: '1' });
  const report = async (args: string[]) => {
    const r = await collectRun(spawnSteward(['report', ...args, '--json', '--data', path.join(root, 'data')], { env }));
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  let bytes = 0;

  before(() => {
    // Copies of every fixture (new ids, moved times), over the days of November: many threads a day.
    const tpl = shortTemplates(REPO);
    const rnd = prng(7);
    const hex = (k: number) => Array.from({ length: k }, () => Math.floor(rnd() * 16).toString(16)).join('');
    for (let i = 0; i < FILES; i++) {
      const day = 1 + (i % 28);
      const c = copyOf(tpl[i % tpl.length]!, Date.UTC(2026, 10, day) + Math.floor(i / 28) * 7_000, hex);
      const dir = path.join(codexHome, 'sessions', '2026', '11', String(day).padStart(2, '0'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, c.name), c.text);
      bytes += c.text.length;
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('every token field and cost per day and model, in two time zones; monthly; the cached repeat the same', async () => {
    for (const tz of ['UTC', 'Asia/Kathmandu']) {
      const ours = await report(['daily', '--timezone', tz]);
      const theirs = await ccusage(codexHome, ['daily', '--timezone', tz]);
      assert.ok(ours.daily.length >= 28, `${ours.daily.length} days`);
      comparePeriods(ours.daily, theirs.daily, 'date', `daily ${tz}, ${FILES} files`);
      for (const f of TOKEN_FIELDS) assert.equal(ours.totals[f], theirs.totals[f], `totals ${f}`);
      assert.ok(Math.abs(ours.totals.costUSD - theirs.totals.costUSD) < 0.005);
    }
    const first = await report(['monthly', '--timezone', 'UTC']);
    assert.equal(first.import.files.found, FILES);
    assert.equal(first.import.files.read, 0, 'the daily reports left every file in the cache');
    comparePeriods(
      first.monthly,
      (await ccusage(codexHome, ['monthly', '--timezone', 'UTC'])).monthly,
      'month',
      'monthly',
    );
    assert.ok(bytes > 10_000_000, `${bytes} bytes`);
  });
});
