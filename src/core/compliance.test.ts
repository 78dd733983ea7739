import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ChainVerifier } from './chain-verifier.js';
import { codexLogDraft } from './compliance-records.js';
import type { EnrichedEvent } from './events.js';
import { canonicalJson, GENESIS_HASH, recordHash, sha256hex, type ChainRecord } from './compliance.js';
import { parseRecordLine, RecordLineWriter, recordLine } from './compliance-record-line.js';

it('canonical JSON sorts keys at every depth and drops undefined members (RFC 8785 for these values)', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é\n' }], c: true }, u: undefined }),
    '{"a":{"c":true,"d":[3,{"y":"é\\n","z":null}]},"b":1}',
  );
  assert.equal(
    canonicalJson(JSON.parse(canonicalJson({ x: 1.5, y: -0, s: '"' }))),
    canonicalJson({ s: '"', y: 0, x: 1.5 }),
  );
  assert.equal(
    canonicalJson({ 9: 'a', 10: 'b', b: 1, a: [undefined, NaN] }),
    '{"10":"b","9":"a","a":[null,null],"b":1}',
  );
});

// A reference written independently: sort every object's keys, then let JSON.stringify write it.
function reference(v: unknown): string {
  const sortDeep = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map((y) => (y === undefined || typeof y === 'function' ? null : sortDeep(y)));
    if (x === null || typeof x !== 'object') return x;
    return new Map(
      Object.keys(x)
        .sort()
        .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortDeep((x as Record<string, unknown>)[k])]),
    );
  };
  const write = (x: unknown): string =>
    x instanceof Map
      ? `{${[...x].map(([k, y]) => `${JSON.stringify(k)}:${write(y)}`).join(',')}}`
      : Array.isArray(x)
        ? `[${x.map(write).join(',')}]`
        : (JSON.stringify(x) ?? 'null');
  return write(sortDeep(v));
}

it('canonical JSON is the same whether keys arrive in order (JSON.stringify path) or not', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const keys = ['a', 'b', 'B', 'é', 'aa', '_x', '1', '10', '9', 'z', 'ünï', '\u{1F600}'];
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth > 3 || r < 0.35)
      return [null, true, false, -0, 1.5, 1e21, NaN, 'str', 'q"\\\n\u2028', undefined, 42][Math.floor(rnd() * 11)];
    if (r < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    const ks = keys.filter(() => rnd() < 0.4);
    if (rnd() < 0.5) ks.sort(); // in canonical order: the JSON.stringify path
    return Object.fromEntries(ks.map((k) => [k, value(depth + 1)]));
  };
  for (let n = 0; n < 2000; n++) {
    const v = value(0);
    assert.equal(canonicalJson(v), reference(v), JSON.stringify(v));
  }
  // Things JSON.stringify writes differently from the canonical form take the written-out path.
  assert.equal(canonicalJson({ a: 1n, b: [2n] }), '{"a":1,"b":[2]}');
  assert.equal(canonicalJson({ a: new Date(0) }), '{"a":"1970-01-01T00:00:00.000Z"}');
  assert.equal(canonicalJson(Object.assign(Object.create({ inherited: 1 }), { own: 2 })), '{"own":2}');
});

function chain(n: number): ChainRecord[] {
  const out: ChainRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = canonicalJson({ n: seq, text: `record ${seq}` });
    const r: ChainRecord = {
      workspace_id: 'w',
      seq,
      id: `id-${seq}`,
      event_type: 'CODEX_LOG',
      ts: 1000 + seq,
      recorded_at: 2000 + seq,
      user_id: 'u',
      thread_id: null,
      content,
      content_sha256: sha256hex(content),
      prev_hash: prev,
      hash: '',
    };
    r.hash = recordHash(prev, r);
    prev = r.hash;
    out.push(r);
  }
  return out;
}

const firstBad = (rows: ChainRecord[], cutoffs = new Map<string, number>()) => {
  const v = new ChainVerifier({ purgeCutoffs: cutoffs });
  for (const r of rows) v.push(r);
  return v.firstProblem;
};

it('verifies an intact chain and names the first altered, missing or reordered record', () => {
  assert.equal(firstBad(chain(5)), null);
  const altered = chain(5);
  altered[2] = { ...altered[2], content: altered[2].content!.replace('record', 'recorD') };
  assert.deepEqual([firstBad(altered)?.seq, firstBad(altered)?.reason], [3, 'content_altered']);
  const rehashed = chain(5);
  rehashed[1] = { ...rehashed[1], hash: rehashed[1].hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
  assert.deepEqual([firstBad(rehashed)?.seq, firstBad(rehashed)?.reason], [2, 'hash_mismatch']);
  const gap = chain(5).filter((r) => r.seq !== 4);
  assert.deepEqual([firstBad(gap)?.seq, firstBad(gap)?.reason], [4, 'missing_records']);
  const swapped = chain(5);
  [swapped[1], swapped[3]] = [
    { ...swapped[3], seq: 2 },
    { ...swapped[1], seq: 4 },
  ];
  assert.deepEqual(
    [firstBad(swapped)?.seq, firstBad(swapped)?.id, firstBad(swapped)?.reason],
    [2, 'id-4', 'hash_mismatch'],
  );
});

it('accepts content removed by retention (the hash stays) and flags removal outside it', () => {
  const purged = chain(3).map((r) => (r.seq === 2 ? { ...r, content: null } : r));
  assert.equal(firstBad(purged, new Map([['CODEX_LOG', 5000]])), null);
  assert.equal(firstBad(purged)?.reason, 'content_removed_outside_retention');
  assert.equal(firstBad(purged, new Map([['CODEX_LOG', 1001]]))?.seq, 2);
});

it('a JSONL line carries everything needed to recompute the record', () => {
  for (const r of chain(3)) assert.deepEqual(parseRecordLine(recordLine(r)), r);
  const purged = { ...chain(1)[0], content: null };
  assert.match(recordLine(purged), /"content":null,"content_removed":"retention"/);
});

it('RecordLineWriter writes exactly recordLine + "\\n" as UTF-8, content given as bytes or as a string', () => {
  const odd = [
    '',
    'plain',
    'quote " and \\ backslash',
    'ctl \u0000\u0001\n\t\u001f\u007f',
    'é ü 中文 😀',
    'lone \ud800 surrogate',
    '\u2028\u2029',
    'x'.repeat(5000),
  ];
  const times = [
    0, 1, 999, 86_399_999, 1_763_790_123_456, 253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000, 1.5,
  ];
  const records: ChainRecord[] = [];
  let k = 0;
  for (const s of odd)
    for (const t of times) {
      const base = chain(1)[0];
      const content = k % 5 === 0 ? null : canonicalJson({ s, k });
      records.push({
        ...base,
        seq: [1, 9, 10, 99_999_999, 100_000_000, 123_456_789_012, 2 ** 53 - 1][k % 7],
        id: k % 3 ? s : base.id,
        event_type: k % 4 ? 'CODEX_LOG' : s,
        workspace_id: s || 'w',
        ts: t,
        recorded_at: Math.abs(Math.trunc(t)) + k,
        user_id: k % 2 ? null : s,
        thread_id: k % 3 ? s : null,
        content,
        hash: k % 6 ? base.hash : s,
        prev_hash: k % 7 ? base.prev_hash : s,
      });
      k++;
    }
  const expected = Buffer.from(records.map((r) => recordLine(r) + '\n').join(''), 'utf8');
  for (const asBytes of [true, false]) {
    const w = new RecordLineWriter(1024); // small: grows past it
    const parts: Buffer[] = [];
    for (const r of records) {
      w.add(asBytes && r.content !== null ? { ...r, content: Buffer.from(r.content, 'utf8') } : r);
      if (w.length > 4096) parts.push(w.take());
    }
    parts.push(w.take());
    assert.ok(Buffer.concat(parts).equals(expected), `content as ${asBytes ? 'bytes' : 'a string'}`);
  }
});

it('CODEX_LOG content is built in canonical key order, so it is written by JSON.stringify', () => {
  const base = { workspaceId: 'w', userId: 'u', clientId: 'CLI', source: 'otlp', hostName: 'h' } as const;
  const meta = {
    keyId: 'k',
    host: 'mh',
    appVersion: '1',
    serviceName: 's',
    serviceVersion: '2',
    terminalType: 't',
    authMode: 'a',
  };
  const info = { mode: 'store', length: 5, redactions: 1 } as const;
  const events = [
    {
      ...base,
      event: {
        kind: 'thread_started',
        key: 'th',
        threadId: 'T',
        ts: 5,
        threadKind: 'user',
        parentThreadId: 'P',
        approvalPolicy: 'never',
        sandboxPolicy: 'ro',
        provider: 'openai',
        originator: 'o',
        model: 'm',
        emailClaim: 'e',
      },
    },
    {
      ...base,
      event: {
        kind: 'turn',
        key: 'tk',
        threadId: 'T',
        ts: 6,
        threadKind: 'user',
        prompt: 'hi',
        promptLength: 2,
        turnId: 'TU',
      },
      content: { prompt: info },
    },
    { ...base, event: { kind: 'turn', key: 'tk', threadId: 'T', ts: 6, threadKind: 'subagent', promptLength: 2 } },
    {
      ...base,
      priced: { costNanoUsd: 123, creditsNano: 456, pricingVersion: 'v', fallback: false },
      event: {
        kind: 'response',
        key: 'rk',
        threadId: 'T',
        ts: 7,
        tokens: { input: 1, cached: 2, output: 3, reasoning: 4 },
        text: 'yo',
        responseId: 'R',
        cacheWrite: 9,
      },
      content: { response: info },
    },
    {
      ...base,
      event: {
        kind: 'response',
        key: 'rk',
        threadId: 'T',
        ts: 7,
        tokens: { input: 1, cached: 2, output: 3, reasoning: 4 },
      },
    },
    {
      ...base,
      event: {
        kind: 'tool',
        key: 'tl',
        threadId: 'T',
        ts: 8,
        callId: 'c',
        toolName: 'shell',
        decision: 'approved',
        arguments: '{}',
        output: 'Process exited with code 3',
        success: false,
        durationMs: 12,
      },
      content: { tool_arguments: info, tool_output: info },
    },
  ] as unknown as EnrichedEvent[];
  for (const e of events) {
    const { content } = codexLogDraft(e, meta);
    assert.equal(JSON.stringify(content), reference(content), e.event.kind);
  }
});
