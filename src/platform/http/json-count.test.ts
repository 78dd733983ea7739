import { it } from 'node:test';
import assert from 'node:assert/strict';
import { countJsonArrayElements } from './json-count.js';

const count = (v: unknown, field: string, stop = 1e9) =>
  countJsonArrayElements(Buffer.from(JSON.stringify(v)), field, stop);

it('counts the elements of every array under the field, at any depth, and nothing else', () => {
  const body = {
    resourceLogs: [
      { scopeLogs: [{ logRecords: [{}, { a: [1, 2, { logRecords: 'x' }] }, []] }, { logRecords: [] }] },
      { scopeLogs: [{ logRecords: [{ body: { stringValue: 'logRecords: [1,2]' } }] }] },
    ],
    other: [{ key: 'logRecords', value: [1, 2, 3] }],
  };
  assert.equal(count(body, 'logRecords'), 4);
  assert.equal(count({ files: [{ lines: [{ n: 0, t: 'a,b],[' }, { n: 1 }] }, { lines: [] }] }, 'lines'), 2);
  assert.equal(count({ lines: 'not an array' }, 'lines'), 0);
  // Whitespace and escaped quotes inside strings do not confuse it.
  const spaced = Buffer.from('{ "lines" : [ {"t":"\\"],"} , 2 ,3 ] }');
  assert.equal(countJsonArrayElements(spaced, 'lines', 100), 3);
});

it('stops once past the limit', () => {
  const big = { logRecords: Array.from({ length: 1000 }, () => ({})) };
  assert.equal(count(big, 'logRecords', 10), 11);
  assert.equal(count(big, 'logRecords'), 1000);
});
