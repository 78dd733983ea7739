// session_meta's instruction strings cut before JSON.parse in the usage-only pass: only whole, valid
// string bodies of those keys, so the cut line parses to the same value but for those strings.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RolloutParser } from './parser.js';
import { metaWithoutInstructions } from './usage-meta.js';

const meta = (payload: string, env = '"ordinal":0,') =>
  Buffer.from(`{"timestamp":"2026-11-22T01:33:17.998Z",${env}"type":"session_meta","payload":${payload}}`);
const ID = '"id":"01a23aa1-e093-7453-99a3-bc273cd411ef"';

it('cuts the instructions and base_instructions.text strings, and nothing else', () => {
  const b = meta(`{${ID},"instructions":"be \\"brief\\"\\n\\u00e9","base_instructions":{"text":"long"},"cwd":"/x"}`);
  const cut = metaWithoutInstructions(b);
  assert.ok(cut);
  const want = JSON.parse(b.toString()) as { payload: Record<string, unknown> };
  want.payload.instructions = '';
  want.payload.base_instructions = { text: '' };
  assert.deepStrictEqual(JSON.parse(cut.toString()), want);
  assert.ok(metaWithoutInstructions(meta(`{${ID},"base_instructions": { "text" : "x" }}`, '')));
});

it('leaves a line uncut when the value is not a plain valid string body or the line is no session_meta', () => {
  for (const p of [
    `{${ID},"instructions":"a\\qb"}`, // an escape JSON.parse refuses
    `{${ID},"instructions":"a\u0001b"}`, // a control byte
    `{${ID},"instructions":"a\\u12g4"}`,
    `{${ID},"instructions":null,"base_instructions":null}`,
    `{${ID},"instructions":"","base_instructions":{"text":""}}`, // nothing to cut
    `{${ID},"cwd":"say \\"instructions\\": \\"x\\""}`, // the key named inside a string
    `{${ID},"instructions":"unterminated`,
  ])
    assert.equal(metaWithoutInstructions(meta(p)), undefined, p);
  const turn = Buffer.from(
    '{"timestamp":"2026-11-22T01:33:17.998Z","type":"turn_context","payload":{"instructions":"x"}}',
  );
  assert.equal(metaWithoutInstructions(turn), undefined);
});

it('gives the usage-only parser the same thread from a cut line, and the same skip for a broken one', () => {
  const lines = [
    meta(`{${ID},"cli_version":"0.169.0","instructions":"${'x'.repeat(5000)}","base_instructions":{"text":"y"}}`),
    meta(`{${ID},"instructions":"fine"} junk`),
  ];
  for (const buf of lines) {
    const modes = [true, false].map((usageOnly) => {
      const p = new RolloutParser({ usageOnly });
      p.line({ lineNo: 1, offset: 0, bytes: buf.length, oversized: false, binary: false, buf: Buffer.from(buf) });
      p.finish({ final: true });
      return { thread: p.st.thread, skipped: p.stats.skippedByReason };
    });
    assert.deepStrictEqual(modes[0], modes[1], buf.toString());
    assert.equal(modes[0]!.thread?.threadId === '01a23aa1-e093-7453-99a3-bc273cd411ef', buf === lines[0]);
  }
});

it('cuts the same with instructions checked before, and keeps only long valid ones as checked', () => {
  const long = 'be brief\\n'.repeat(200);
  const b = meta(`{${ID},"base_instructions":{"text":"${long}"}}`);
  const checked = { bodies: [] as Buffer[] };
  const first = metaWithoutInstructions(b, checked);
  assert.deepStrictEqual(first, metaWithoutInstructions(b));
  assert.equal(checked.bodies.length, 1);
  assert.deepStrictEqual(metaWithoutInstructions(b, checked), first);
  assert.equal(checked.bodies.length, 1);
  // A broken body of the same length is not taken for the one checked.
  const bad = meta(`{${ID},"base_instructions":{"text":"${long.slice(0, -2)}\\q"}}`);
  assert.equal(metaWithoutInstructions(bad, checked), undefined);
  assert.ok(metaWithoutInstructions(meta(`{${ID},"instructions":"short"}`), checked));
  assert.equal(checked.bodies.length, 1);
});
