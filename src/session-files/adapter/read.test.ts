// Reading files (split from parser.test.ts): bad lines, files being written, replaced files, long
// lines, corrupt .gz, directory search. Ground truth: the real 0.169 captures in
// test/fixtures/rollouts/0.169 and the older-format files in test/fixtures/rollouts/older.
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { collectRollout, findRolloutFiles, iterateRollout, type ReadOptions, type RolloutEvent } from './parser.js';

import {
  FIX,
  EXEC,
  COMPACTION,
  REVIEW_CHILD,
  TUI_GZ,
  OLD_ENVELOPE,
  BARE,
  OLD_FORK,
  ofKind,
  tok,
  contentOf,
  readLines,
  tempRollouts,
} from '../../../test/support/rollout-fixtures.js';

const { tmpFile, writeTmp } = tempRollouts();

describe('bad input and files being written', () => {
  it('reports junk lines with line numbers and reasons and still counts everything else', async () => {
    const lines = await readLines(EXEC);
    const glued = lines[8]!.slice(0, 60) + lines[8]!; // a record cut short, then the whole record again
    const junk: (string | Buffer)[] = [
      ...lines.slice(0, 5),
      lines[5]!.slice(0, 100), // line 6: truncated JSON
      'this is not json', // line 7: garbage
      Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x80, 0x7b]), // line 8: binary junk
      // line 9: unknown type
      JSON.stringify({ timestamp: '2026-11-22T01:26:10.370Z', ordinal: 99, type: 'telepathy', payload: {} }),
      '', // line 10: blank
      ...lines.slice(5, 8),
      glued, // line 14
      ...lines.slice(9),
    ];
    const buf = Buffer.concat(junk.flatMap((l) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
    const p = await writeTmp(buf, path.basename(EXEC));
    const r = await collectRollout(p, { final: true });
    assert.deepEqual(
      r.stats.skipped.map((s) => [s.line, s.reason, s.recovered ?? false]),
      [
        [6, 'truncated_json', false],
        [7, 'garbage', false],
        [8, 'binary', false],
        [14, 'truncated_json', true],
      ],
    );
    assert.equal(r.stats.blankLines, 1);
    assert.equal(r.stats.skippedCount, 4);
    assert.deepEqual(r.stats.skippedByReason, { truncated_json: 2, garbage: 1, binary: 1 });
    // Line 9's unknown type is kept and counted on its own, not as a bad line.
    assert.equal(r.stats.unknownLines, 1);
    assert.deepEqual(r.stats.unknownTypes, { telepathy: 1 });
    assert.equal(r.stats.tokens.total, 6300);
    assert.equal(r.stats.turns, 2);
    assert.equal(ofKind(r.events, 'tool').length, 1);
    assert.equal(r.stats.lines, lines.length + 5);
    assert.equal(r.checkpoint.offset, buf.length);
    const unknown = contentOf(r.content, 'other').find((c) => c.type === 'telepathy');
    assert.ok(unknown, 'an unknown line type is reported and still kept as content');
  });

  it('leaves a partial last line unread, reports its offset, and reads it once completed', async () => {
    const full = await readFile(EXEC);
    const whole = await collectRollout(EXEC, { final: true });
    const lines = (await readLines(EXEC)).map((l) => l + '\n');
    const lineStart = Buffer.byteLength(lines.slice(0, 16).join('')); // line 17: token_usage_record resp_3
    const p = await writeTmp(full.subarray(0, lineStart + 40), path.basename(EXEC));

    const first = await collectRollout(p); // still being written: not final
    assert.deepEqual(first.stats.partialTail, { line: 17, offset: lineStart, bytes: 40 });
    assert.equal(first.stats.skippedCount, 0, 'a partial last line is not an error');
    assert.equal(first.checkpoint.offset, lineStart);
    assert.equal(first.checkpoint.lines, 16);
    assert.deepEqual(
      ofKind(first.events, 'response').map((e) => e.responseId),
      ['resp_2'],
    );

    await appendFile(p, full.subarray(lineStart + 40));
    const second = await collectRollout(p, { checkpoint: first.checkpoint, final: true });
    assert.equal(second.stats.startOffset, lineStart);
    assert.equal(second.stats.partialTail, undefined);
    assert.equal(ofKind(second.events, 'thread_started').length, 0, 'the thread was emitted by the first read');
    assert.deepEqual(
      ofKind(second.events, 'response').map((e) => e.responseId),
      ['resp_3', 'resp_8'],
    );
    const both = [...first.events, ...second.events];
    assert.deepEqual(both.map((e) => e.discriminator).sort(), whole.events.map((e) => e.discriminator).sort());
    assert.deepEqual(
      ofKind(both, 'turn').map((t) => t.prompt),
      ['run echo hi in the shell', 'now say goodbye, no tools'],
    );

    // Nothing new: a third read yields nothing and keeps the offset.
    const third = await collectRollout(p, { checkpoint: second.checkpoint, final: true });
    assert.equal(third.events.length, 0);
    assert.equal(third.checkpoint.offset, full.length);
  });

  it('a file read in two parts at any point gives the same responses, turns and tool calls as one read', async () => {
    for (const file of [EXEC, COMPACTION, OLD_ENVELOPE, OLD_FORK, REVIEW_CHILD]) {
      const full = await readFile(file);
      const whole = await collectRollout(file, { final: true });
      const project = (events: RolloutEvent[]) =>
        events
          .map((e) => {
            switch (e.kind) {
              case 'response':
                return `R ${e.threadId} ${e.responseId} ${tok(e).join('/')} ${e.model} ${e.discriminator}`;
              case 'turn':
                return `T ${e.threadId} ${e.turnId} ${e.discriminator} ${e.prompt} ${e.model}`;
              case 'tool':
                return `X ${e.callId} ${e.success} ${e.output?.length} ${e.arguments}`;
              default:
                return `S ${e.threadId}`;
            }
          })
          .sort();
      const expected = project(whole.events);
      for (let cut = 1; cut < full.length; cut += 997) {
        const p = await writeTmp(full.subarray(0, cut), path.basename(file));
        const a = await collectRollout(p);
        await appendFile(p, full.subarray(cut));
        const b = await collectRollout(p, { checkpoint: JSON.parse(JSON.stringify(a.checkpoint)), final: true });
        assert.deepEqual(project([...a.events, ...b.events]), expected, `${path.basename(file)} cut at ${cut}`);
        assert.equal(a.stats.tokens.total + b.stats.tokens.total, whole.stats.tokens.total);
      }
    }
  });

  it('with final, a complete last record without a newline is read', async () => {
    const full = (await readFile(EXEC, 'utf8')).replace(/\n$/, '');
    const p = await writeTmp(full, path.basename(EXEC));
    const notFinal = await collectRollout(p);
    assert.equal(notFinal.stats.partialTail?.line, 29);
    const fin = await collectRollout(p, { final: true });
    assert.equal(fin.stats.partialTail, undefined);
    assert.equal(fin.stats.lines, 29);
    assert.equal(ofKind(fin.events, 'turn').length, 2);
  });

  it('starts over when the checkpointed file was replaced by a shorter one', async () => {
    const p = await writeTmp(await readFile(EXEC), path.basename(EXEC));
    const first = await collectRollout(p, { final: true });
    await writeFile(p, (await readLines(EXEC)).slice(0, 11).join('\n') + '\n');
    const again = await collectRollout(p, { checkpoint: first.checkpoint, final: true });
    assert.equal(again.stats.reset, 'file_shrank');
    assert.equal(again.stats.responses, 1);
  });

  it('reads a 50 MB compacted line with bounded memory and keeps counting after it', async () => {
    const p = tmpFile(path.basename(COMPACTION));
    await mkdir(path.dirname(p), { recursive: true });
    const lines = await readLines(COMPACTION);
    const ws = createWriteStream(p);
    const write = (s: string | Buffer) =>
      new Promise<void>((res) => (ws.write(s) ? res() : ws.once('drain', () => res())));
    for (const l of lines.slice(0, 13)) await write(l + '\n');
    // A compacted line whose replacement_history is ~50 MB.
    await write(
      '{"timestamp":"2026-11-22T01:33:18.739Z","ordinal":20,"type":"compacted",' +
        '"payload":{"message":"Summary of the work so far.","replacement_history":[',
    );
    const item = Buffer.from(
      JSON.stringify({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'z'.repeat(64 * 1024 - 80) }],
      }) + ',',
    );
    const size = 50 * 1024 * 1024;
    for (let w = 0; w < size; w += item.length) await write(item);
    await write('{"type":"message","role":"user","content":[]}]}}\n');
    // A huge tool output (3 MB) is trimmed to its head too.
    await write(
      JSON.stringify({
        timestamp: '2026-11-22T01:33:18.745Z',
        ordinal: 21,
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: 'call_big',
          output: 'Process exited with code 0\nOutput:\n' + 'o'.repeat(3 * 1024 * 1024),
        },
      }) + '\n',
    );
    for (const l of lines.slice(26)) await write(l + '\n');
    await new Promise<void>((res) => ws.end(() => res()));

    const base = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    }, 1);
    let r;
    try {
      r = await collectRollout(p, { final: true });
    } finally {
      clearInterval(timer);
    }
    assert.ok(peak < 40 * 1024 * 1024, `memory grew by ${Math.round(peak / 1e6)} MB reading a 50 MB line`);
    assert.equal(r.stats.trimmed.length, 2);
    assert.ok(r.stats.trimmed[0]!.bytes > size);
    const [compaction] = contentOf(r.content, 'compaction');
    assert.equal(compaction!.message, 'Summary of the work so far.');
    assert.equal(compaction!.truncated, true);
    const big = ofKind(r.events, 'tool').find((t) => t.callId === 'call_big');
    assert.ok(big && big.outputTruncated && big.success === true && (big.output?.length ?? 0) <= 64 * 1024);
    assert.deepEqual(
      ofKind(r.events, 'response').map((e) => e.responseId),
      ['resp_2', 'resp_9'],
    );
    assert.equal(r.stats.skippedCount, 0);
  });

  it('never throws on mangled files (seeded random cuts, junk bytes, spliced and truncated lines)', async () => {
    let seed = 20261122;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const sources = [EXEC, COMPACTION, REVIEW_CHILD, OLD_ENVELOPE, BARE, OLD_FORK];
    const p = tmpFile(path.basename(EXEC));
    await mkdir(path.dirname(p), { recursive: true });
    for (let i = 0; i < 150; i++) {
      let b = await readFile(sources[i % sources.length]!);
      for (let m = 0; m < 1 + Math.floor(rnd() * 5); m++) {
        const pos = Math.floor(rnd() * b.length);
        const k = rnd();
        if (k < 0.3)
          b = Buffer.concat([b.subarray(0, pos), b.subarray(Math.min(b.length, pos + Math.floor(rnd() * 300)))]);
        else if (k < 0.6)
          b = Buffer.concat([
            b.subarray(0, pos),
            Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))),
            b.subarray(pos),
          ]);
        else if (k < 0.85) {
          const from = Math.floor(rnd() * b.length);
          b = Buffer.concat([b.subarray(0, pos), b.subarray(from, from + Math.floor(rnd() * 2000)), b.subarray(pos)]);
        } else b = b.subarray(0, pos);
      }
      await writeFile(p, b);
      const r = await collectRollout(p, { final: i % 2 === 0 });
      for (const e of r.events) {
        assert.ok(Number.isFinite(e.ts), 'every event has a time');
        if (e.kind === 'response')
          assert.ok(
            Object.values(e.tokens).every((v) => Number.isInteger(v) && v >= 0) && e.tokens.cached <= e.tokens.input,
            'token counts stay sane',
          );
      }
      assert.ok(r.checkpoint.offset <= b.length);
    }
  });

  it('a corrupt or truncated .gz is reported, keeping the lines read before the damage', async () => {
    const gz = await readFile(TUI_GZ);
    const p = await writeTmp(gz.subarray(0, Math.floor(gz.length * 0.8)), path.basename(TUI_GZ));
    const r = await collectRollout(p);
    assert.match(r.stats.readError ?? '', /decompression failed/);
    assert.ok(r.stats.lines > 0 && r.stats.lines < 22);
    assert.ok(r.checkpoint.offset > 0);
  });

  it('iterateRollout streams records and ends with the result', async () => {
    const kinds: string[] = [];
    for await (const rec of iterateRollout(REVIEW_CHILD, { final: true, content: false } satisfies ReadOptions))
      kinds.push(rec.type === 'event' ? rec.event.kind : rec.type);
    assert.deepEqual(kinds, ['thread_started', 'turn', 'response', 'done']);
  });

  it('finds .jsonl and .jsonl.gz rollouts under a directory', async () => {
    const found = findRolloutFiles(FIX).map((f) => path.relative(FIX, f));
    // 11 from the shared captures, 6 of the optional-events captures, 1 derived from the Codex source
    assert.equal(found.length, 18);
    assert.ok(found.includes(path.relative(FIX, TUI_GZ)));
    assert.ok(found.every((f) => /\.jsonl(\.gz)?$/.test(f)));
  });

  it('a missing file is an error, not a silent empty read', async () => {
    await assert.rejects(collectRollout(path.join(path.dirname(tmpFile()), 'nope.jsonl')), /ENOENT/);
  });
});
