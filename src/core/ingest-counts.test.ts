import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EnrichedEvent } from './events.js';
import { countsOf } from './ingest-counts.js';

const ev = (kind: string, key: string) => ({ event: { kind, key, threadId: 't' } }) as unknown as EnrichedEvent;

it('counts new facts by kind; tools are the calls this batch stored or completed, not every call row', () => {
  const thread = ev('thread_started', 'thread:t');
  const turn = ev('turn', 'turn:1');
  const replayedTurn = ev('turn', 'turn:0');
  const resp = ev('response', 'resp:1');
  const matched = ev('response', 'resp:2'); // the other source stored it first
  const newTool = ev('tool', 'tool:1');
  const knownTool = ev('tool', 'tool:0');
  const events = [thread, turn, replayedTurn, resp, matched, newTool, knownTool];
  assert.deepEqual(countsOf(events, [thread, turn, resp, newTool]), {
    threads: 1,
    turns: 1,
    requests: 1,
    tools: 1,
    duplicates: 2,
  });
  assert.deepEqual(countsOf(events, []), { threads: 0, turns: 0, requests: 0, tools: 0, duplicates: 4 });
});
