// One test per pipeline step, and the run that chains them. Every step must leave its input as it
// was (each returns a new value): the assertions on `before` check that.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONTENT_POLICY } from '../../core/content-policy.js';
import {
  isDrop,
  type ModelResponse,
  type NormalizedEvent,
  type ToolCall,
  type TurnStarted,
} from '../../core/events.js';
import { runPipeline } from './run.js';
import {
  classify,
  dedupeKey,
  identify,
  price,
  redact,
  type Classified,
  type Identified,
  type PipelineEnv,
  type Priced,
  type Principal,
} from './steps.js';

const principal: Principal = { workspaceId: 'ws', userId: 'key-user', keyId: 'k', sharedCollector: false };
const env: PipelineEnv = {
  source: 'otlp',
  hostName: 'h',
  creditsPerUsd: 25,
  userIdForEmail: (e) => (e === 'a@x.test' ? 'user-a' : undefined),
};
const base = { key: '', threadId: 'T', ts: 1000, discriminator: 'd', originator: 'codex_exec', model: 'gpt-5.5' };
const turn: TurnStarted = {
  ...base,
  kind: 'turn',
  threadKind: 'user',
  prompt: 'my key is AKIAIOSFODNN7EXAMPLE',
  promptLength: 32,
};
const response: ModelResponse = {
  ...base,
  kind: 'response',
  tokens: { input: 2000, cached: 1500, output: 40, reasoning: 10 },
};
const tool: ToolCall = { ...base, kind: 'tool', callId: 'c1', arguments: 'ls', output: 'ok' };
const frozen = <T>(x: T): T => structuredClone(x);
const identified = (event: NormalizedEvent): Identified => identify(event, principal, env) as Identified;
const classified = (event: NormalizedEvent): Classified => classify(dedupeKey(identified(event)));

describe('pipeline steps', () => {
  it("identify: the key's user; a shared collector key names the user by e-mail claim, or drops", () => {
    const before = frozen(turn);
    assert.deepEqual(identify(turn, principal, env), {
      event: turn,
      workspaceId: 'ws',
      userId: 'key-user',
      source: 'otlp',
      hostName: 'h',
    });
    const shared = { ...principal, sharedCollector: true };
    assert.equal((identify({ ...turn, emailClaim: 'a@x.test' }, shared, env) as Identified).userId, 'user-a');
    const unknown = identify({ ...turn, emailClaim: 'b@x.test' }, shared, env);
    assert.ok(isDrop(unknown) && unknown.reason === 'unknown_user');
    const unclaimed = identify(turn, shared, env);
    assert.ok(isDrop(unclaimed) && unclaimed.reason === 'unknown_user');
    assert.deepEqual(turn, before);
  });

  it('dedupe-key: ids when the source has them, else time and discriminator; untimed keys leave time out', () => {
    const before = frozen(turn);
    assert.equal(dedupeKey(identified(turn)).event.key, 'turn:T:1000:d');
    assert.equal(dedupeKey(identified({ ...turn, turnId: 'u1' })).event.key, 'turn:u1');
    assert.equal(dedupeKey(identified({ ...turn, untimed: true })).event.key, 'turn:T:-:d');
    assert.equal(dedupeKey(identified(response)).event.key, 'resp:T:1000:2000:1500:40:10:d');
    assert.equal(dedupeKey(identified({ ...response, responseId: 'r1' })).event.key, 'resp:T:r1');
    const child = { ...response, responseId: 'r1', sourceThreadId: 'child' } as typeof response;
    assert.equal(dedupeKey(identified(child)).event.key, 'resp:child:r1');
    assert.equal(dedupeKey(identified(tool)).event.key, 'tool:T:c1');
    assert.equal(dedupeKey(identified({ ...base, kind: 'thread_started', threadKind: 'user' })).event.key, 'thread:T');
    assert.deepEqual(turn, before);
  });

  it('classify: the client from the originator', () => {
    const keyed = dedupeKey(identified(turn));
    const before = frozen(keyed);
    assert.equal(classify(keyed).clientId, 'CODEX_SERVICE_EXEC');
    assert.deepEqual(keyed, before);
  });

  it('price: a response gets its price; other events none; an unbounded count drops the record', () => {
    const c = classified(response);
    const before = frozen(c);
    const p = price(c, env) as Priced;
    assert.equal(p.priced?.costNanoUsd, 500 * 5000 + 1500 * 500 + 40 * 30000);
    assert.equal(p.priced?.creditsNano, p.priced!.costNanoUsd * 25);
    assert.deepEqual(c, before);
    assert.equal((price(classified(turn), env) as Priced).priced, undefined);
    const huge = price(classified({ ...response, tokens: { ...response.tokens, input: 2 ** 60 } }), env);
    assert.ok(isDrop(huge) && huge.reason === 'invalid_attribute');
  });

  it('redact: content as the policy says, with DLP findings; nothing without a policy', () => {
    const p = price(classified(turn), env) as Priced;
    const before = frozen(p);
    assert.equal(redact(p, env), p); // no policy: as received
    const r = redact(p, { ...env, contentPolicy: { ...DEFAULT_CONTENT_POLICY, tool_output: 'hash' } });
    assert.doesNotMatch((r.event as TurnStarted).prompt!, /AKIA/);
    assert.equal(r.content?.prompt?.mode, 'store');
    assert.equal(r.content?.prompt?.redactions, 1);
    assert.equal(r.findings?.length, 1);
    assert.equal(r.event.key, p.event.key);
    assert.deepEqual(p, before);
    const t = redact(price(classified(tool), env) as Priced, {
      ...env,
      contentPolicy: { ...DEFAULT_CONTENT_POLICY, tool_output: 'hash' },
    });
    assert.equal(t.content?.tool_output?.mode, 'hash');
    assert.notEqual((t.event as ToolCall).output, 'ok');
  });

  it('run: every step in order; drops listed and counted by reason', () => {
    const shared = { ...principal, sharedCollector: true };
    const out = runPipeline(
      [
        { index: 0, event: { ...response, emailClaim: 'a@x.test' } },
        { index: 1, event: { ...turn, emailClaim: 'nobody@x.test' } },
        { index: 2, event: { ...response, emailClaim: 'a@x.test', tokens: { ...response.tokens, output: 2 ** 60 } } },
        { index: 3, event: turn },
      ],
      shared,
      env,
    );
    assert.equal(out.events.length, 1);
    const [e] = out.events;
    assert.equal(e.userId, 'user-a');
    assert.equal(e.clientId, 'CODEX_SERVICE_EXEC');
    assert.ok(e.event.key.startsWith('resp:T:'));
    assert.ok(e.priced);
    assert.deepEqual(
      out.drops.map((d) => [d.index, d.reason]),
      [
        [1, 'unknown_user'],
        [2, 'invalid_attribute'],
        [3, 'unknown_user'],
      ],
    );
    assert.deepEqual(out.dropsByReason, { unknown_user: 2, invalid_attribute: 1 });
  });
});
