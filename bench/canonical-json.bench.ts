// canonicalJson on CODEX_LOG content: the JSON.stringify path (keys built in canonical order, as
// compliance-records.ts builds them) against the written-out path (the same content with its keys
// shuffled), both producing the same text. Run: node --import tsx bench/canonical-json.bench.ts
import { codexLogDraft } from '../src/core/compliance-records.js';
import { canonicalJson } from '../src/core/compliance.js';
import type { EnrichedEvent } from '../src/core/events.js';

const base = {
  workspaceId: '01a233eb-e381-7a69-aaf9-7a31ceb32c3e',
  userId: '01a233eb-e381-7a69-aaf9-7a31ceb32c3f',
  clientId: 'CODEX_CLI',
  source: 'otlp',
  hostName: 'dev-box',
};
const meta = {
  keyId: '01a233eb-e381-7a69-aaf9-7a31ceb32c40',
  appVersion: '0.169.0',
  serviceName: 'codex_exec',
  terminalType: 'xterm',
  authMode: 'chatgpt',
};
const info = { mode: 'store', length: 180, redactions: 0 };
const text = 'Run the tests and fix what fails. '.repeat(6);
const events = [
  {
    ...base,
    event: {
      kind: 'turn',
      key: 'turn:t:1',
      threadId: 't',
      ts: 1,
      threadKind: 'user',
      prompt: text,
      promptLength: text.length,
    },
    content: { prompt: info },
  },
  {
    ...base,
    priced: { costNanoUsd: 123456, creditsNano: 3086400, pricingVersion: '2026-11', fallback: false },
    event: {
      kind: 'response',
      key: 'resp:t:2',
      threadId: 't',
      ts: 2,
      model: 'gpt-5.5',
      tokens: { input: 12000, cached: 9000, output: 800, reasoning: 300 },
    },
  },
  {
    ...base,
    event: {
      kind: 'tool',
      key: 'tool:t:c',
      threadId: 't',
      ts: 3,
      callId: 'c',
      toolName: 'exec_command',
      decision: 'approved',
      arguments: '{"cmd":"npm test"}',
      output: `${text}\nProcess exited with code 0\n`,
      success: true,
      durationMs: 1200,
    },
    content: { tool_arguments: info, tool_output: info },
  },
] as unknown as EnrichedEvent[];
const contents = events.map((e) => codexLogDraft(e, meta).content);
const shuffle = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(shuffle);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .reverse()
      .map((k) => [k, shuffle((v as Record<string, unknown>)[k])]),
  );
};
const shuffled = contents.map(shuffle);
for (let i = 0; i < contents.length; i++)
  if (canonicalJson(contents[i]) !== canonicalJson(shuffled[i])) throw new Error('paths differ');

const N = 300_000;
const time = (xs: unknown[]) => {
  const t = performance.now();
  let n = 0;
  for (let i = 0; i < N; i++) n += canonicalJson(xs[i % xs.length]).length;
  return ((performance.now() - t) / N) * 1000 + (n < 0 ? 1 : 0);
};
for (let round = 0; round < 3; round++)
  console.log(
    `canonicalJson per CODEX_LOG record: in order (JSON.stringify) ${time(contents).toFixed(2)} us, shuffled (written out) ${time(shuffled).toFixed(2)} us`,
  );
