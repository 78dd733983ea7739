// The usage-only pass against the full parser on every real and hand-written fixture: the same
// responses (tokens, model, ids, time, thread), the same turns and threads, read whole and resumed
// from a checkpoint in the middle of the file.
import assert from 'node:assert/strict';
import { readdirSync, statSync, existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { collectRollout, iterateRollout } from '../parser.js';
import type { RolloutEvent } from '../types.js';

const ROOTS = ['test/fixtures/rollouts', '/work/shared/fixtures/codex-0.169'];

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.jsonl(\.gz)?$/.test(n) ? [p] : [];
  });
}

// The facts the report and the rollups are made of: prompt and reply text are content, not counted.
function figures(events: RolloutEvent[]): unknown[] {
  return events.flatMap((e) => {
    if (e.kind === 'response')
      return [
        [e.kind, e.threadId, e.ts, e.model, e.responseId, e.turnId, e.tokens, e.totalTokens, e.discriminator],
        [e.sourceThreadId, e.isFallbackModel ?? false],
      ];
    if (e.kind === 'turn') return [[e.kind, e.threadId, e.ts, e.turnId, e.threadKind, e.discriminator, e.model]];
    if (e.kind === 'thread_started') return [[e.kind, e.threadId, e.threadKind, e.parentThreadId, e.model]];
    return [];
  });
}

async function usageEvents(path: string, opts: { final: boolean; checkpoint?: never }): Promise<RolloutEvent[]> {
  const out: RolloutEvent[] = [];
  for await (const r of iterateRollout(path, { ...opts, usageOnly: true }))
    if (r.type === 'event') out.push(r.event);
    else assert.notEqual(r.type, 'content', 'the usage-only pass makes no content');
  return out;
}

const all = ROOTS.flatMap(files);

it('finds the fixtures', () => assert.ok(all.length >= 15, `${all.length} fixture files`));

for (const f of all)
  it(`usage-only equals the full parser: ${f}`, async () => {
    const full = await collectRollout(f, { final: true });
    const usage = await usageEvents(f, { final: true });
    assert.deepEqual(figures(usage), figures(full.events));
    const fullStats = full.stats;
    let stats;
    for await (const r of iterateRollout(f, { final: true, usageOnly: true }))
      if (r.type === 'done') stats = r.result.stats;
    assert.deepEqual(
      [stats!.turns, stats!.responses, stats!.tokens, stats!.lines, stats!.threadId],
      [fullStats.turns, fullStats.responses, fullStats.tokens, fullStats.lines, fullStats.threadId],
    );
  });

it('usage-only resumes from its own checkpoint in the middle of a file with the same figures', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-only-'));
  for (const f of all.filter((p) => !p.endsWith('.gz'))) {
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n');
    const half = lines.slice(0, Math.ceil(lines.length / 2)).join('\n') + '\n';
    const p = join(dir, f.split('/').pop()!);
    writeFileSync(p, half);
    const first: RolloutEvent[] = [];
    let cp;
    for await (const r of iterateRollout(p, { final: false, usageOnly: true }))
      if (r.type === 'event') first.push(r.event);
      else if (r.type === 'done') cp = r.result.checkpoint;
    writeFileSync(p, text);
    for await (const r of iterateRollout(p, { final: true, usageOnly: true, checkpoint: cp }))
      if (r.type === 'event') first.push(r.event);
    const full = await collectRollout(p, { final: true });
    assert.deepEqual(figures(first), figures(full.events), f);
  }
});
