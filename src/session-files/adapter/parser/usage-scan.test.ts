// The byte scan that lets the usage-only parser leave a line undecoded: the keys it looks for are
// found wherever they are (at a line's very end, after a look-alike), and never when escaped.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newState, type ParserState } from './state.js';
import { bareSkippable, usageSkippable } from './usage-scan.js';

function state(): ParserState {
  const st = newState();
  st.threadPending = {} as never; // the thread is placed: lines may be skipped
  st.knownTurns.add('t-1');
  st.turn = { id: 't-1' } as never;
  return st;
}
const line = (payload: string) =>
  Buffer.from(`{"timestamp":"2026-11-22T01:33:17.998Z","type":"event_msg","payload":${payload}}`);

it('skips an item_completed line unless its item is a UserMessage, wherever that is named', () => {
  const st = state();
  assert.ok(usageSkippable(line('{"type":"item_completed","turn_id":"t-1","item":{"type":"AgentMessage"}}'), st));
  assert.equal(usageSkippable(line('{"type":"item_completed","item":{"type":"UserMessage"}}'), st), undefined);
  // "UserMess" without the rest, then the real one last.
  const b = line('{"type":"item_completed","x":"UserMess","item":{"type":"UserMessage"}}');
  assert.equal(usageSkippable(b, st), undefined);
});

it('decodes a line naming a new turn, not one naming it inside an escaped string', () => {
  const st = state();
  assert.equal(usageSkippable(line('{"type":"exec_command_end","turn_id":"t-2"}'), st), undefined);
  assert.ok(usageSkippable(line('{"type":"exec_command_end","turn_id":"t-1"}'), st));
  assert.ok(usageSkippable(line('{"type":"agent_message","message":"say \\"turn_id\\": \\"t-9\\""}'), st));
  assert.equal(usageSkippable(line('{"type":"agent_message","grid_id":"x","turn_id":"t-3"}'), st), undefined);
});

it('decodes a line holding a second record (a writer that died mid-line)', () => {
  const st = state();
  const glued = line('{"type":"agent_message","message":"cut{"timestamp":"2026-11-22T01:33:18Z","type":"event_msg"}');
  assert.equal(usageSkippable(glued, st), undefined);
  assert.ok(usageSkippable(line('{"type":"agent_message","message":"a \\"timestamp\\" and stamp\\""}'), st));
});

it('reads the envelope from its bytes as the regexes over the head read it', () => {
  const st = state();
  const payload = '{"type":"agent_message","message":"hi"}';
  const compact = `{"timestamp":"2026-11-22T01:33:17.998Z","ordinal":7,"type":"event_msg","payload":${payload}}`;
  const spaced =
    `{ "timestamp" : "2026-11-22T01:33:17.998Z", "ordinal": 7, ` + `"type": "event_msg", "payload": ${payload}}`;
  const want = { ts: Date.parse('2026-11-22T01:33:17.998Z'), ordinal: true };
  assert.deepEqual(usageSkippable(Buffer.from(compact), st), want);
  assert.deepEqual(usageSkippable(Buffer.from(spaced), st), want);
  // No ordinal: an older build's line, whichever way it is spaced.
  assert.deepEqual(usageSkippable(line(payload), st), { ...want, ordinal: false });
  // Kept types, in either form, and a payload type outside [A-Za-z_] is not taken for a skippable one.
  assert.equal(usageSkippable(line('{"type":"token_count","info":null}'), st), undefined);
  const kept = `{ "timestamp":"2026-11-22T01:33:17.998Z","type":"turn_context","payload":{}}`;
  assert.equal(usageSkippable(Buffer.from(kept), st), undefined);
  assert.equal(usageSkippable(line('{"type":"agent_message2","message":"hi"}'), st), undefined);
  // A timestamp with an escape is not read from the bytes, nor by the regex: decoded.
  const escaped = Buffer.from(`{"timestamp":"2026-11-22T01:33:17\\u002e998Z","type":"event_msg","payload":${payload}}`);
  assert.equal(usageSkippable(escaped, st), undefined);
});

it('finds a second record after spaces following its brace, and not a nested timestamp key', () => {
  const st = state();
  const glued = line('{"type":"agent_message","message":"cut{ \t"timestamp":"2026-11-22T01:33:18Z"}');
  assert.equal(usageSkippable(glued, st), undefined);
  assert.ok(usageSkippable(line('{"type":"agent_message","message":"hi","at":{"when":1,"timestamp":"x"}}'), st));
});

it('counts an ordinal written later in the head, as the regex does, and none past the head', () => {
  const st = state();
  const payload = '{"type":"agent_message","message":"hi"}';
  const later = `{"timestamp":"2026-11-22T01:33:17.998Z","type":"event_msg","payload":${payload},"ordinal":3}`;
  assert.equal(usageSkippable(Buffer.from(later), st)?.ordinal, true);
  // The key's name without a number after it, and an ordinal only after the first 512 bytes.
  const named = `{"timestamp":"2026-11-22T01:33:17.998Z","type":"event_msg","payload":${payload},"ordinal":"x"}`;
  assert.equal(usageSkippable(Buffer.from(named), st)?.ordinal, false);
  const padded = (n: number) =>
    `{"timestamp":"2026-11-22T01:33:17.998Z","type":"event_msg",` +
    `"payload":{"type":"agent_message","message":"${'x'.repeat(n)}"},"ordinal":3}`;
  assert.equal(usageSkippable(Buffer.from(padded(600)), st)?.ordinal, false);
  // The key's name in the head's last bytes, its number after them.
  const edge = padded(396);
  assert.equal(edge.indexOf('"ordinal"') + '"ordinal"'.length, 512);
  assert.equal(usageSkippable(Buffer.from(edge), st)?.ordinal, false);
});

it('skips bare tool calls, reasoning, replies and state markers once the file is placed, not prompts', () => {
  const st = state();
  st.format = 'bare';
  const b = (s: string) => Buffer.from(s);
  assert.ok(bareSkippable(b('{"record_type":"state"}'), st));
  assert.ok(bareSkippable(b('{"type":"function_call","name":"shell","arguments":"{}","call_id":"c1"}'), st));
  assert.ok(bareSkippable(b('{"type":"function_call_output","call_id":"c1","output":"ok"}'), st));
  assert.ok(bareSkippable(b('{"type":"message","role":"assistant","content":[]}'), st));
  assert.ok(!bareSkippable(b('{"type":"message","role":"user","content":[]}'), st));
  assert.ok(!bareSkippable(b('{"type":"function_calls","call_id":"c1"}'), st));
  // A turn id not seen yet, a record glued after it, an unended line: decoded.
  const meta = '"internal_chat_message_metadata_passthrough":{"turn_id":"t-2"}';
  assert.ok(!bareSkippable(b(`{"type":"reasoning","id":"r",${meta}}`), st));
  assert.ok(!bareSkippable(b('{"type":"reasoning","id":"r"{"timestamp":"2026-11-22T01:33:18Z"}'), st));
  assert.ok(!bareSkippable(b('{"type":"reasoning","id":"r"'), st));
  // The first line, or before the format is known: decoded.
  const fresh = newState();
  assert.ok(!bareSkippable(b('{"record_type":"state"}'), fresh));
});
