// Cases the fuzzer found (test/http/fuzz.http.test.ts, decisions/0029), kept as fixed examples: each
// reached an event out of core/bounds.ts before the fix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { parseRawLines, rolloutSplitter } from '../lines.js';
import { EXEC } from '../../../../test/support/rollout-fixtures.js';

const real = fs
  .readFileSync(EXEC, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const meta = real.find((l) => l.type === 'session_meta');

function parse(lines: unknown[]) {
  const s = rolloutSplitter(0, 0);
  const raw = s.push(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
  return parseRawLines(raw, { path: EXEC, offset: 0, line: 0, final: true, fallbackTs: Date.UTC(2026, 0, 1) });
}
const events = (r: ReturnType<typeof parse>) => r.records.flatMap((x) => (x.type === 'event' ? [x.event] : []));

describe('session-file lines past core/bounds.ts', () => {
  it('a 257-character model_provider skips its session_meta line as implausible_value', () => {
    const bad = structuredClone(meta);
    bad.payload.model_provider = 'i'.repeat(257);
    const r = parse([bad]);
    assert.equal(r.result.stats.skippedByReason.implausible_value, 1);
    assert.ok(events(r).every((e) => e.kind !== 'thread_started' || e.provider === undefined));
    assert.equal(
      r.result.stats.skipped[0]!.detail,
      'session_meta: model_provider is 257 characters long; at most 256 are accepted',
    );
  });

  it('a parent past the id bound (session_id, nested parent_thread_id) is no parent (fuzz 20261515-6)', () => {
    for (const set of [
      (p: any) => (p.session_id = 'x'.repeat(1000)),
      (p: any) => (p.source = { subagent: { thread_spawn: { parent_thread_id: 'y'.repeat(257) } } }),
    ]) {
      const bad = structuredClone(meta);
      bad.payload.thread_source = 'subagent';
      delete bad.payload.parent_thread_id;
      set(bad.payload);
      const started = events(parse([bad])).find((e) => e.kind === 'thread_started');
      assert.ok(started, 'the thread is still read');
      assert.equal((started as { parentThreadId?: string }).parentThreadId, undefined);
    }
  });

  it('a NUL in the thread id skips the line; the same line with a good id is read', () => {
    const bad = structuredClone(meta);
    bad.payload.id = 'a\u0000b';
    assert.equal(parse([bad]).result.stats.skippedByReason.implausible_value, 1);
    assert.equal(parse([meta]).result.stats.skippedByReason.implausible_value, undefined);
  });

  it('an exit code of 2^31 skips its line instead of reaching a 32-bit column', () => {
    const end = {
      timestamp: meta.timestamp,
      type: 'event_msg',
      payload: { type: 'exec_command_end', call_id: 'c1', exit_code: 2 ** 31, duration: { secs: 1, nanos: 0 } },
    };
    const r = parse([meta, end]);
    assert.equal(r.result.stats.skippedByReason.implausible_value, 1);
    assert.match(r.result.stats.skipped[0]!.detail!, /exitCode 2147483648 is not a 32-bit integer/);
    const ok = parse([meta, { ...end, payload: { ...end.payload, exit_code: 1 } }]);
    assert.equal(ok.result.stats.skippedByReason.implausible_value, undefined);
  });

  it('a time before 2015 is no time: the line takes the fallback, not 1970', () => {
    const early = structuredClone(meta);
    early.timestamp = '1970-01-01T00:00:00.000Z';
    early.payload.timestamp = '1970-01-01T00:00:00.000Z';
    for (const e of events(parse([early]))) assert.ok(e.ts >= Date.UTC(2015, 0, 1), `${e.kind} at ${e.ts}`);
  });
});
