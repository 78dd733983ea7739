// The state record is the checkpoint. Checkpoints in test/fixtures/rollouts/checkpoints/v1.json were
// written by the parser before it was split into handlers (a class copying 22 fields in and out);
// they must load, save back byte for byte, and resume to exactly what that parser produced.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { collectRollout, type RolloutCheckpoint } from '../parser.js';
import { RolloutParser } from './parser.js';
import { loadState, newState, saveState, type RolloutParserState } from './state.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/rollouts');
const MTIME = 1767225600; // fixed, because lines without a timestamp fall back to the file's mtime

interface Stored {
  file: string;
  cut: number;
  checkpoint: Omit<RolloutCheckpoint, 'path' | 'ino' | 'size'>;
  resumed: { events: number; content: number; digest: string; checkpoint: string };
}
const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');
const dir = await mkdtemp(path.join(tmpdir(), 'steward-state-'));
after(() => rm(dir, { recursive: true, force: true }));
const stored = JSON.parse(await readFile(path.join(FIX, 'checkpoints/v1.json'), 'utf8')) as Stored[];

describe('parser state record = checkpoint', () => {
  it('a stored checkpoint loads and saves back to the same JSON, key order included', () => {
    for (const s of stored)
      assert.equal(
        JSON.stringify(saveState(loadState(s.checkpoint.state))),
        JSON.stringify(s.checkpoint.state),
        s.file,
      );
  });

  it('checkpoints written by the parser before the split resume to exactly what it produced', async () => {
    assert.ok(stored.length >= 10);
    for (const s of stored) {
      const p = path.join(dir, path.basename(s.file));
      await writeFile(p, await readFile(path.join(FIX, s.file)));
      await utimes(p, MTIME, MTIME);
      const b = await collectRollout(p, { checkpoint: JSON.parse(JSON.stringify(s.checkpoint)), final: true });
      const { ino: _i, size: _s, path: _p, ...cp } = b.checkpoint;
      const where = `${s.file} resumed at ${s.checkpoint.offset}`;
      assert.equal(b.events.length, s.resumed.events, where);
      assert.equal(b.content.length, s.resumed.content, where);
      assert.equal(digest({ events: b.events, content: b.content }), s.resumed.digest, where);
      assert.equal(digest(cp), s.resumed.checkpoint, where);
      await rm(p);
    }
  });

  it('saves Sets as arrays and the pending tools as a list, and ignores keys that are not state', () => {
    const st = newState();
    st.knownTurns.add('t1');
    st.tools.set('c1', { callId: 'c1', toolKind: 'function', ts: 1, line: 2, offset: 3, disc: 'x@3' });
    const saved = saveState(st);
    assert.deepEqual(saved.knownTurns, ['t1']);
    assert.deepEqual(saved.tools, [{ callId: 'c1', toolKind: 'function', ts: 1, line: 2, offset: 3, disc: 'x@3' }]);
    const loaded = loadState({ ...saved, bogus: 1 } as RolloutParserState);
    assert.ok(loaded.knownTurns.has('t1'));
    assert.equal(loaded.tools.get('c1')?.offset, 3);
    assert.equal('bogus' in loaded, false);
  });

  it('a checkpoint is not changed by parsing that continues from it', () => {
    const first = new RolloutParser({ threadIdHint: 'th' });
    first.line({
      lineNo: 1,
      offset: 0,
      bytes: 10,
      oversized: false,
      binary: false,
      text: JSON.stringify({
        timestamp: '2026-01-01T00:00:00Z',
        type: 'event_msg',
        payload: { type: 'task_started', turn_id: 'u1' },
      }),
    });
    const cp = first.state();
    const before = JSON.stringify(cp);
    const next = new RolloutParser({ threadIdHint: 'th', state: cp });
    next.line({
      lineNo: 2,
      offset: 11,
      bytes: 10,
      oversized: false,
      binary: false,
      text: JSON.stringify({
        timestamp: '2026-01-01T00:00:01Z',
        type: 'event_msg',
        payload: { type: 'user_message', message: 'hi' },
      }),
    });
    next.finish({ final: true });
    assert.equal(next.st.turn?.prompt, 'hi');
    assert.equal(JSON.stringify(cp), before);
  });
});
