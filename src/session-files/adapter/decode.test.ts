import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LineSplitter,
  decodeJsonLine,
  isRolloutFileName,
  jsonStringPrefix,
  sniffHead,
  threadIdFromFileName,
  type RawLine,
} from './decode.js';

const enc = (s: string) => Buffer.from(s, 'utf8');

function splitAll(
  input: Buffer,
  chunkSize: number,
  opts = {},
): { lines: RawLine[]; tail: ReturnType<LineSplitter['end']> } {
  const sp = new LineSplitter(opts);
  const lines: RawLine[] = [];
  for (let i = 0; i < input.length; i += chunkSize) lines.push(...sp.push(input.subarray(i, i + chunkSize)));
  return { lines, tail: sp.end() };
}

describe('LineSplitter', () => {
  const text = '{"a":1}\n{"b":"é€"}\r\n\n{"c":3}\n{"partial":';
  for (const size of [1, 2, 3, 7, 1000]) {
    it(`splits lines with byte offsets regardless of chunking (chunk ${size})`, () => {
      const buf = enc(text);
      const { lines, tail } = splitAll(buf, size);
      assert.deepEqual(
        lines.map((l) => [l.lineNo, l.offset, l.bytes, l.text]),
        [
          [1, 0, 7, '{"a":1}'],
          [2, 8, 14, '{"b":"é€"}\r'],
          [3, 23, 0, ''],
          [4, 24, 7, '{"c":3}'],
        ],
      );
      // Every offset points at the line's first byte.
      for (const l of lines) assert.equal(buf.subarray(l.offset, l.offset + l.bytes).toString('utf8'), l.text);
      assert.equal(tail.offset, 32);
      assert.equal(tail.lines, 4);
      assert.equal(tail.partialBytes, 11);
      assert.equal(tail.partial?.text, '{"partial":');
      assert.equal(tail.partial?.lineNo, 5);
    });
  }

  it('continues numbering and offsets from a resume point', () => {
    const sp = new LineSplitter({ startOffset: 1000, startLine: 41 });
    const [l] = sp.push(enc('{"x":1}\n'));
    assert.equal(l?.lineNo, 42);
    assert.equal(l?.offset, 1000);
    assert.equal(sp.end().offset, 1008);
  });

  it('flags binary junk', () => {
    const { lines } = splitAll(Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x7b]), enc('\n{"ok":1}\n')]), 3);
    assert.equal(lines[0]?.binary, true);
    assert.equal(lines[1]?.binary, false);
  });

  it('keeps only the head of a line over its limit, with bounded memory, and resumes normally after it', () => {
    // A 50 MB line streamed in 64 KiB chunks from one reused buffer: nothing here allocates 50 MB.
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x78); // 'x'
    const sp = new LineSplitter({ maxLineBytes: 1024 * 1024, headBytes: 4096 });
    const before = process.memoryUsage();
    let peak = 0;
    const got: RawLine[] = [];
    got.push(...sp.push(enc('{"timestamp":"2026-01-01T00:00:00Z","type":"compacted","payload":{"message":"')));
    for (let n = 0; n < total; n += chunk.length) {
      got.push(...sp.push(chunk));
      if (n % (4 * 1024 * 1024) === 0) {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - (before.heapUsed + before.arrayBuffers));
      }
    }
    got.push(...sp.push(enc('"}}\n{"next":true}\n')));
    assert.equal(got.length, 2);
    const [big, next] = got as [RawLine, RawLine];
    assert.equal(big.oversized, true);
    assert.equal(big.text, undefined);
    assert.equal(Buffer.byteLength(big.head ?? ''), 4096);
    assert.ok(big.bytes > total);
    assert.equal(next.text, '{"next":true}');
    assert.equal(next.offset, big.offset + big.bytes + 1);
    assert.ok(peak < 24 * 1024 * 1024, `memory grew by ${peak} bytes while streaming a 50 MB line`);
  });

  it('lets the caller trim a line type early (limitFor)', () => {
    const line = '{"timestamp":"t","type":"world_state","payload":{"state":"' + 'y'.repeat(20_000) + '"}}\n';
    const sp = new LineSplitter({
      headBytes: 1024,
      sniffBytes: 512,
      limitFor: (h) => (h.toString().includes('"world_state"') ? 0 : Infinity),
    });
    const [l] = sp.push(enc(line));
    assert.equal(l?.oversized, true);
    assert.equal(Buffer.byteLength(l?.head ?? ''), 1024);
    const sp2 = new LineSplitter({ headBytes: 1024, sniffBytes: 512, limitFor: () => Infinity });
    assert.equal(sp2.push(enc(line))[0]?.oversized, false);
  });
});

describe('decodeJsonLine', () => {
  it('parses an object line', () => {
    const d = decodeJsonLine(' {"type":"x","payload":{}} ', false);
    assert.equal(d.ok, true);
    if (!d.ok) return;
    assert.equal(d.value.type, 'x');
  });
  it('classifies bad lines', () => {
    const bad = (t: string, binary = false) => {
      const d = decodeJsonLine(t, binary);
      assert.equal(d.ok, false);
      return d.ok ? undefined : d.problem;
    };
    assert.equal(bad('{"timestamp":"2026-11-22T01:26:10.293Z","type":"event_m'), 'truncated_json');
    assert.equal(bad('hello world'), 'garbage');
    assert.equal(bad('\u0000\uFFFD{', true), 'binary');
    assert.equal(bad('[1,2]'), 'not_object');
    assert.equal(bad('42'), 'not_object');
  });
  it('recovers a whole record glued after a truncated one (writer died mid-line, then resumed)', () => {
    const line = '{"timestamp":"a","type":"event_msg","payl{"timestamp":"b","type":"event_msg","payload":{"type":"x"}}';
    const d = decodeJsonLine(line, false);
    assert.equal(d.ok, true);
    if (!d.ok) return;
    assert.equal(d.value.timestamp, 'b');
    assert.equal(d.droppedPrefix, 'truncated_json');
    assert.equal(d.recoveredFrom, line.indexOf('{"timestamp":"b"'));
  });
});

describe('head sniffing', () => {
  it('reads envelope and payload types, ordinal and ids from a head with spaces or without', () => {
    for (const sep of [':', ': ']) {
      const head =
        `{"timestamp"${sep}"2026-11-22T01:26:10.726Z", "ordinal"${sep}12, "type"${sep}"response_item", ` +
        `"payload"${sep}{"type"${sep}"function_call_output", "id"${sep}"fco_1", "call_id"${sep}"call_resp_2", ` +
        `"output"${sep}"Process exited with code 0\\nWall time: 0.1 seconds\\nOutput:\\nhi \\u00e9\\"q`;
      const s = sniffHead(head);
      assert.equal(s.enveloped, true);
      assert.equal(s.type, 'response_item');
      assert.equal(s.payloadType, 'function_call_output');
      assert.equal(s.ordinal, 12);
      assert.equal(s.callId, 'call_resp_2');
      assert.equal(s.timestamp, '2026-11-22T01:26:10.726Z');
      assert.deepEqual(jsonStringPrefix(head, 'output'), {
        text: 'Process exited with code 0\nWall time: 0.1 seconds\nOutput:\nhi é"q',
        complete: false,
      });
    }
    assert.deepEqual(jsonStringPrefix('{"message":"done","x":1}', 'message'), { text: 'done', complete: true });
  });
});

describe('file names', () => {
  it('accepts .jsonl and .jsonl.gz and reads the thread id', () => {
    const p = '/x/sessions/2026/11/22/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl';
    assert.ok(isRolloutFileName(p));
    assert.ok(isRolloutFileName(p + '.gz'));
    assert.ok(!isRolloutFileName(p + '.zst'));
    assert.equal(threadIdFromFileName(p), '01a200dc-5835-7763-b92a-e0134f63f937');
    assert.equal(threadIdFromFileName(p + '.gz'), '01a200dc-5835-7763-b92a-e0134f63f937');
  });
});
