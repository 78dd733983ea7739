// `steward collect --watch` against a real `steward serve` (SQLite and PostgreSQL), with the real
// Codex CLI writing session files: the server is stopped while sessions keep being written, then
// restarted; the collector is killed (SIGKILL) in the middle of uploading a file and restarted; in
// the end the usage API equals the ground truth (what the mock model handed out) exactly, and a
// full re-upload from scratch changes nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ok, usageTruth } from './support/truth.js';
import { startMockModel, type MockModel } from './support/mock-model.js';
import { makeCodexHome, runCodex, execArgs, CODEX_JS, type CodexHome } from './support/codex.js';
import { DIALECTS, startSteward, type Steward } from './support/steward.js';
import { cleanEnv, collectRun, spawnSteward } from './support/local-store.js';

const skip = existsSync(CODEX_JS) ? false : 'codex CLI not installed (npm i)';
const DAY_S = 86_400;

describe('e2e: steward collect --watch survives a server outage and its own death', { skip }, () => {
  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      let steward: Steward;
      let mock: MockModel;
      let home: CodexHome;
      let key: string;
      let collector: ChildProcess | undefined;
      let log = '';
      const statePath = () => path.join(home.root, 'collect-state.json');
      const testStart = Math.floor(Date.now() / 1000);

      function startCollector(): ChildProcess {
        const p = spawnSteward(
          [
            'collect',
            '--watch',
            '--json',
            '--server',
            steward.url,
            '--codex-home',
            home.dir,
            '--state',
            statePath(),
            '--rescan-seconds',
            '0.2',
            '--retry-max-seconds',
            '0.4',
            '--idle-seconds',
            '1',
            '--max-request-kb',
            '6',
          ],
          {
            cwd: home.root,
            env: cleanEnv({ STEWARD_KEY: key, HOME: path.join(home.root, 'home') }),
          },
        );
        p.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
        p.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
        return p;
      }

      async function totals(): Promise<Record<string, number>> {
        const qs = new URLSearchParams({
          group: 'workspace',
          start_time: String(testStart - 2 * DAY_S),
          end_time: String(Math.floor(Date.now() / 1000) + DAY_S),
        });
        const r = await steward.fetch(`/v1/analytics/codex/workspaces/${steward.workspaceId}/usage?${qs}`);
        assert.equal(r.status, 200);
        const out: Record<string, number> = {};
        for (const row of ((await r.json()) as { data: { totals: Record<string, number> }[] }).data)
          for (const [k, v] of Object.entries(row.totals)) out[k] = (out[k] ?? 0) + v;
        return out;
      }

      async function waitFor(pred: () => Promise<boolean> | boolean, what: string, ms = 15_000) {
        const end = Date.now() + ms;
        while (!(await pred())) {
          if (Date.now() > end) assert.fail(`timed out waiting for ${what}\ncollector log:\n${log.slice(-3000)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }

      const matches = async (e: ReturnType<typeof usageTruth>) => {
        const t = await totals();
        return (
          t.model_requests === e.model_requests && t.text_total_tokens === e.text_total_tokens && t.turns === e.turns
        );
      };

      before(async () => {
        steward = await startSteward({ dialect });
        mock = await startMockModel({
          usage: (c) => ({
            input_tokens: 3_000 + c.index * 911,
            cached_input_tokens: 700 + c.index * 101,
            output_tokens: 60 + c.index * 17,
            reasoning_tokens: 5 + c.index * 3,
          }),
        });
        home = await makeCodexHome({ mockUrl: mock.url });
        const user = await steward.cli<{ email: string }>(['users', 'add', `collector-${dialect}@example.com`]);
        key = (
          await steward.cli<{ secret: string }>(['keys', 'create', '--scope', 'ingest.write', '--user', user.email])
        ).secret;
      });

      after(async () => {
        collector?.kill('SIGKILL');
        await mock?.close();
        await steward?.cleanup();
        await home?.cleanup();
      });

      it('uploads everything exactly once through an outage and a SIGKILL mid-file', async () => {
        collector = startCollector();
        ok(await runCodex(home, execArgs(home, 'run echo hi in the shell')), 'run 1');
        await waitFor(() => matches(usageTruth(mock.responses)), 'run 1 visible');

        // The server goes away; Codex keeps writing.
        await steward.stop();
        ok(
          await runCodex(home, execArgs(home, 'second turn, no tools please', { resumeLast: true })),
          'run 2 (resume)',
        );
        ok(await runCodex(home, execArgs(home, 'another thread, no tools', { extra: ['-m', 'gpt-5-mini'] })), 'run 3');
        await waitFor(() => /"event":"retry"/.test(log), 'the collector retrying');

        // Back up: the collector catches up in small requests; kill it in the middle of a file.
        await steward.start();
        await waitFor(() => {
          try {
            const st = JSON.parse(readFileSync(statePath(), 'utf8')) as { files: Record<string, { offset: number }> };
            return Object.entries(st.files).some(([f, s]) => s.offset > 0 && s.offset < statSync(f).size);
          } catch {
            return false;
          }
        }, 'a file half uploaded');
        collector.kill('SIGKILL');
        await collectRun(collector).catch(() => undefined);

        ok(await runCodex(home, execArgs(home, 'written while no collector runs, no tools')), 'run 4');
        log = '';
        collector = startCollector();
        const truth = usageTruth(mock.responses);
        await waitFor(() => matches(truth), 'everything visible after the restart', 20_000);
        // Let any late (duplicate) upload land, then compare every field exactly.
        await new Promise((r) => setTimeout(r, 600));
        const t = await totals();
        for (const [k, v] of Object.entries(truth)) {
          if (k === 'cost_usd') assert.ok(Math.abs(t.cost_usd! - v) < 1e-9, `cost_usd ${t.cost_usd} vs ${v}`);
          else assert.equal(t[k], v, k);
        }
        assert.equal(truth.threads, 3);
        assert.equal(truth.turns, 4);

        // A full re-upload from scratch (fresh state file) is trimmed or deduplicated: nothing changes.
        collector.kill('SIGTERM');
        await collectRun(collector);
        const again = spawnSteward(
          [
            'push',
            '--json',
            '--server',
            steward.url,
            '--codex-home',
            home.dir,
            '--state',
            path.join(home.root, 'fresh-state.json'),
          ],
          { cwd: home.root, env: cleanEnv({ STEWARD_KEY: key, HOME: path.join(home.root, 'home') }) },
        );
        const r = await collectRun(again);
        assert.equal(r.code, 0, r.stderr);
        const pushed = JSON.parse(r.stdout);
        assert.equal(pushed.stored.requests, 0);
        assert.equal(pushed.stored.turns, 0);
        assert.deepEqual(await totals(), t);
      });
    });
  }
});
