import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addCounter } from './bounds.js';
import { maskBit, windowAdditions, windowsHolding } from './windows.js';

it('a day before the anchor falls in the windows that reach it; the anchor day in none', () => {
  assert.deepEqual(windowsHolding(100, 100), []);
  assert.deepEqual(windowsHolding(100, 99), [7, 30, 90]);
  assert.deepEqual(windowsHolding(100, 94), [7, 30, 90]);
  assert.deepEqual(windowsHolding(100, 93), [30, 90]);
  assert.deepEqual(windowsHolding(100, 71), [30, 90]);
  assert.deepEqual(windowsHolding(100, 70), [90]);
  assert.deepEqual(windowsHolding(100, 11), [90]);
  assert.deepEqual(windowsHolding(100, 10), []);
  assert.deepEqual([maskBit(100, 99), maskBit(100, 38), maskBit(100, 37), maskBit(100, 100)], [0, 61, null, null]);
});

it("a batch's late rows: counters summed per base key, masks OR'ed past 2^53, only built workspaces", () => {
  const anchors = new Map([['w', 100]]);
  const row = (bucket: number, turns: number, extra: object) => ({
    workspace_id: 'w',
    bucket,
    user_id: 'u',
    turns,
    ...extra,
  });
  const add = windowAdditions(
    anchors,
    [
      row(99, 1, { client_id: 'c' }),
      row(95, 2, { client_id: 'c' }),
      row(50, 4, { client_id: 'c' }),
      row(100, 8, { client_id: 'c' }),
    ],
    [row(40, 1, { model: 'm' }), row(41, 0, { model: 'm' })],
    [
      { workspace_id: 'w', bucket: 99, user_id: 'u', client_id: 'c' },
      { workspace_id: 'w', bucket: 39, user_id: 'u', client_id: 'c' },
      { workspace_id: 'x', bucket: 99, user_id: 'u', client_id: 'c' },
    ],
    ['turns'],
    addCounter,
  );
  assert.deepEqual(
    add.usage_user_window.map((r) => [r.window_days, r.turns]),
    [
      [30, 3],
      [7, 3],
      [90, 7],
    ],
  );
  assert.deepEqual(
    add.usage_user_model_window.map((r) => [r.window_days, r.turns]),
    [[90, 1]],
    'a model row without a turn adds its zero counters',
  );
  assert.deepEqual(
    add.user_day_mask.map((r) => [r.client_id, r.model, r.days]),
    [
      ['', '', ((1n << 60n) | 1n).toString()],
      ['', 'm', (1n << 59n).toString()],
      ['c', '', ((1n << 60n) | 1n).toString()],
    ],
  );
});

it("a batch's late rows per person: every client's counters, the days each window's row keeps", () => {
  const anchors = new Map([['w', 100]]);
  const day = (bucket: number, user: string, client: string, turns: number) => ({
    workspace_id: 'w',
    bucket,
    user_id: user,
    client_id: client,
    turns,
  });
  const add = windowAdditions(
    anchors,
    [day(99, 'u', 'c', 1), day(99, 'u', 'd', 2), day(80, 'u', 'c', 4), day(38, 'u', 'c', 8), day(100, 'u', 'c', 16)],
    [],
    [
      { workspace_id: 'w', bucket: 99, user_id: 'u', client_id: 'c' },
      { workspace_id: 'w', bucket: 99, user_id: 'u', client_id: 'd' },
      { workspace_id: 'w', bucket: 80, user_id: 'u', client_id: 'c' },
      { workspace_id: 'w', bucket: 38, user_id: 'u', client_id: 'c' }, // bit 61: past every window's row
      { workspace_id: 'w', bucket: 39, user_id: 'v', client_id: 'c' }, // a day and no counters in this batch
      { workspace_id: 'x', bucket: 99, user_id: 'u', client_id: 'c' }, // no base built
    ],
    ['turns'],
    addCounter,
  );
  assert.deepEqual(
    add.usage_person_window.map((r) => [r.user_id, r.window_days, r.turns, r.days]),
    [
      ['u', 30, 7, ((1n << 19n) | 1n).toString()],
      ['u', 7, 3, '1'],
      ['u', 90, 15, ((1n << 19n) | 1n).toString()],
      ['v', 90, 0, (1n << 60n).toString()],
    ],
  );
});
