// The session-file captures the adapter's tests read, and the helpers they share.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import type { RolloutContent, RolloutEvent } from '../../src/session-files/adapter/parser.js';

export const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts');
export const f169 = (p: string) => path.join(FIX, '0.169', p);
const older = (p: string) => path.join(FIX, 'older', p);

export const EXEC = f169('exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl');
export const COMPACTION = f169('compaction/rollout-2026-11-22T01-33-17-01a200e2-ded6-7281-b18e-0d6c8ab0a6e9.jsonl');
export const REVIEW_PARENT = f169('review/rollout-2026-11-22T01-34-29-01a200e3-f57c-7640-a8da-9923b134aba3.jsonl');
export const REVIEW_CHILD = f169('review/rollout-2026-11-22T01-34-29-01a200e3-f5cc-76f3-8b34-3e18d7a7e462.jsonl');
export const FORK_PARENT = f169('fork/rollout-2026-11-22T01-31-43-01a200e1-6ef5-78f1-af6d-22ae203e44f2.jsonl');
export const FORK = f169('fork/rollout-2026-11-22T01-35-09-01a200e4-9489-7470-aa01-cac390a6f6fb.jsonl');
export const TUI_GZ = f169('tui/rollout-2026-11-22T01-33-45-01a200e3-49f9-76d3-b635-cbe36ffb88db.jsonl.gz');
export const OLD_ENVELOPE = older('rollout-2025-10-14T09-00-00-0199e2a1-6c1d-7a40-9a3e-4c7f00a0b001.jsonl');
export const OLD_NO_MODEL = older('rollout-2025-09-15T13-00-00-0199a0f3-11aa-7c3b-8d2e-5f6a7b8c9d01.jsonl');
export const BARE = older('rollout-2025-08-12T14-02-11-5973b6c0-94b8-487b-a530-2aeb6098ae0e.jsonl');
export const OLD_FORK = older('rollout-2025-11-03T10-00-00-019a4b10-2c3d-7e4f-8a9b-0c1d2e3f4a5b.jsonl');

export type Ev<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;
export const ofKind = <K extends RolloutEvent['kind']>(events: RolloutEvent[], k: K) =>
  events.filter((e): e is Ev<K> => e.kind === k);
export const tok = (e: Ev<'response'>) => [e.tokens.input, e.tokens.cached, e.tokens.output, e.tokens.reasoning];
export const contentOf = <K extends RolloutContent['kind']>(c: RolloutContent[], k: K) =>
  c.filter((x): x is Extract<RolloutContent, { kind: K }> => x.kind === k);
export const readLines = async (p: string) => (await readFile(p, 'utf8')).split('\n').filter((l) => l !== '');

/** A temporary directory for the calling test file (made before its tests, removed after). */
export function tempRollouts() {
  let tmp = '';
  let n = 0;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'steward-rollout-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });
  const tmpFile = (name = 'rollout-2026-01-01T00-00-00-0199ffff-0000-7000-8000-000000000001.jsonl') =>
    path.join(tmp, `${n++}`, name);
  const writeTmp = async (content: string | Buffer, name?: string): Promise<string> => {
    const p = tmpFile(name);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, content);
    return p;
  };
  return { tmpFile, writeTmp };
}
