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
    skills: 0,
    events: 0,
    unknown: 0,
  });
  const none = { threads: 0, turns: 0, requests: 0, tools: 0, duplicates: 4, skills: 0, events: 0, unknown: 0 };
  assert.deepEqual(countsOf(events, []), none);
});

it('counts kept Codex events, skill invocations and unknown names apart from the facts', () => {
  const obs = (key: string, category: string) =>
    ({ event: { kind: 'observation', key, threadId: 't', category } }) as unknown as EnrichedEvent;
  const skill = obs('event:1', 'skill_invocation');
  const guardian = obs('event:2', 'guardian_assessment');
  const future = obs('event:3', 'unknown');
  const replayed = obs('event:4', 'unknown');
  const c = countsOf([skill, guardian, future, replayed], [skill, guardian, future]);
  assert.deepEqual([c.events, c.skills, c.unknown, c.tools, c.duplicates], [3, 1, 1, 0, 0]);
});
