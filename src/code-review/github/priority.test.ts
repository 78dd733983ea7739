import assert from 'node:assert/strict';
import { it } from 'node:test';
import { priorityFromBody, priorityFromValue } from './priority.js';

const badge = (p: number, colour: string) =>
  `**<sub><sub>![P${p} Badge](https://img.shields.io/badge/P${p}-${colour}?style=flat)</sub></sub>  ` +
  'Avoid dropping the error**\n\nThe handler swallows it.';

it('reads the priority badge Codex renders, for every level and colour', () => {
  assert.equal(priorityFromBody(badge(0, 'red')), 0);
  assert.equal(priorityFromBody(badge(1, 'orange')), 1);
  assert.equal(priorityFromBody(badge(2, 'yellow')), 2);
  assert.equal(priorityFromBody(badge(3, 'lightgrey')), 3);
});

it('reads the badge URL alone, the alt text alone, and a [Pn] title prefix', () => {
  assert.equal(priorityFromBody('![x](https://img.shields.io/badge/P2-yellow?style=flat) title'), 2);
  assert.equal(priorityFromBody('P0 Badge: something'), 0);
  assert.equal(priorityFromBody('[P1] Guard against a nil config'), 1);
  assert.equal(priorityFromBody('**[P3] Nit: rename**'), 3);
  assert.equal(priorityFromBody('### [P2] Title in a heading'), 2);
  assert.equal(priorityFromBody('<sub>[P0] in sub</sub>'), 0);
});

it('is unprioritized when nothing matches; the first marker wins over later mentions', () => {
  assert.equal(priorityFromBody(null), null);
  assert.equal(priorityFromBody(''), null);
  assert.equal(priorityFromBody('Looks good to me'), null);
  assert.equal(priorityFromBody('P4 Badge is not a level'), null);
  assert.equal(priorityFromBody('see the docs, e.g. [P1] in the middle of a sentence'), null);
  assert.equal(priorityFromBody(badge(1, 'orange') + '\n\nUnlike the [P0] case above...'), 1);
});

it('normalizes explicit priority values', () => {
  assert.equal(priorityFromValue(0), 0);
  assert.equal(priorityFromValue('P2'), 2);
  assert.equal(priorityFromValue('p3'), 3);
  assert.equal(priorityFromValue('1'), 1);
  assert.equal(priorityFromValue('high'), null);
  assert.equal(priorityFromValue(7), null);
  assert.equal(priorityFromValue(null), null);
});
