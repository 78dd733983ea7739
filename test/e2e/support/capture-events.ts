// Re-capture the optional Codex events (agent responses, guardian assessments, skill invocations)
// from the real CLI against the loopback mock model, for the fixtures in test/fixtures/otlp and
// test/fixtures/rollouts. Nothing leaves the machine (codex.ts: isolated CODEX_HOME, dead proxy).
//
//   node --import tsx test/e2e/support/capture-events.ts OUT_DIR [CODEX_JS]
//
// CODEX_JS defaults to the dev dependency (0.169); for 0.171:
//   npm install --prefix /tmp/codex171 @openai/codex@0.171.0
//   node --import tsx test/e2e/support/capture-events.ts /tmp/cap171 /tmp/codex171/node_modules/@openai/codex/bin/codex.js
// Writes OUT_DIR/<scenario>/otel-logs-NNN.json (each OTLP body as sent), rollout-*.jsonl, config.toml
// and cli.txt (the CLI's output), per scenario.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execArgs, listRollouts, makeCodexHome, runCodex, type CodexHomeOptions } from './codex.js';
import { startMockModel } from './mock-model.js';
import { startOtlpSink } from './otlp-sink.js';

interface Scenario {
  name: string;
  prompt: string;
  home: Omit<CodexHomeOptions, 'mockUrl' | 'otel'>;
  /** Files written under CODEX_HOME before the run (path relative to it). */
  files?: Record<string, string>;
  extraArgs?: string[];
}

const OTEL_FLAGS = { log_agent_responses: true, log_guardian_assessments: true };

// A user skill: Codex loads CODEX_HOME/skills/<name>/SKILL.md and reports an explicit `$name`
// mention in a prompt as codex.skill_invocation.
const SKILL = `---
name: greet
description: Greets the user by running echo. Use when asked to greet.
---

Run \`echo hi\` and report what it printed.
`;

const SCENARIOS: Scenario[] = [
  {
    name: 'agent-response-skill',
    prompt: '$greet please greet me',
    home: { otelFlags: OTEL_FLAGS },
    files: { 'skills/greet/SKILL.md': SKILL },
  },
  {
    // Automated approval review: the command asks for escalation under on-request, and the
    // reviewer (approvals_reviewer = "auto_review") assesses it with a model call of its own.
    name: 'guardian',
    prompt: 'run the command that needs approval',
    home: {
      otelFlags: OTEL_FLAGS,
      topLevel: {
        approval_policy: '"on-request"',
        sandbox_mode: '"read-only"',
        approvals_reviewer: '"auto_review"',
      },
    },
  },
];

async function capture(outDir: string, codexJs: string | undefined, s: Scenario): Promise<void> {
  const model = await startMockModel({ escalate: s.name === 'guardian', finalAnswerPhase: true });
  const sink = await startOtlpSink();
  const home = await makeCodexHome({
    ...s.home,
    mockUrl: model.url,
    otel: { endpoint: sink.logsUrl, protocol: 'json' },
  });
  const dir = path.join(outDir, s.name);
  try {
    await mkdir(dir, { recursive: true });
    for (const [rel, text] of Object.entries(s.files ?? {})) {
      await mkdir(path.dirname(path.join(home.dir, rel)), { recursive: true });
      await writeFile(path.join(home.dir, rel), text);
    }
    const run = await runCodex(home, execArgs(home, s.prompt, { extra: s.extraArgs }), { codexJs, timeoutMs: 90_000 });
    await sink.waitFor((r) => r.some((x) => x.path === '/v1/logs'), 5000).catch(() => undefined);
    await writeFile(
      path.join(dir, 'cli.txt'),
      `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
    );
    await copyFile(home.configPath, path.join(dir, 'config.toml'));
    let n = 0;
    for (const req of sink.logs()) {
      n += 1;
      await writeFile(path.join(dir, `otel-logs-${String(n).padStart(3, '0')}.json`), req.body);
    }
    for (const file of await listRollouts(home))
      await writeFile(path.join(dir, path.basename(file)), await readFile(file));
    await writeFile(
      path.join(dir, 'model-requests.json'),
      JSON.stringify(
        model.requests.filter((r) => r.path.endsWith('/responses')).map((r) => JSON.parse(r.body || '{}')),
        null,
        1,
      ),
    );
    console.log(`${s.name}: exit ${run.code}, ${n} OTLP bodies, ${model.responses.length} model responses`);
  } finally {
    await home.cleanup();
    await sink.close();
    await model.close();
  }
}

const [outDir, codexJs] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: capture-events.ts OUT_DIR [CODEX_JS]');
  process.exit(2);
}
for (const s of SCENARIOS) await capture(path.resolve(outDir), codexJs, s);
