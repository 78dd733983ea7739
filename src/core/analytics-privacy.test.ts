import assert from 'node:assert/strict';
import { StewardError } from './errors.js';
import { it } from 'node:test';
import { CLOSED_TEAM_FLOOR, effectivePrivacy, withAnalyticsSettings } from './analytics-privacy.js';

const server = { show_emails: true, min_team_size: 5 };
const of = (json: string | undefined, s = server) => {
  const p = effectivePrivacy(s, json);
  return [p.showEmails, p.minTeamSize];
};

it('a workspace narrows the server, never widens it', () => {
  assert.deepEqual(of('{}'), [true, 5]);
  assert.deepEqual(of('{"analytics":{"show_emails":false,"min_team_size":9}}'), [false, 9]);
  assert.deepEqual(of('{"analytics":{"min_team_size":2}}'), [true, 5]);
  assert.deepEqual(of('{"analytics":{"show_emails":true}}', { show_emails: false, min_team_size: 5 }), [false, 5]);
});

it('what cannot be read applies closed', () => {
  for (const json of [undefined, '{not json', '[]', 'null', '{"analytics":3}'])
    assert.deepEqual(of(json), [false, CLOSED_TEAM_FLOOR], String(json));
  assert.deepEqual(of('{"analytics":{"show_emails":"yes"}}'), [false, 5]);
  assert.deepEqual(of('{"analytics":{"min_team_size":0}}'), [true, CLOSED_TEAM_FLOOR]);
  assert.deepEqual(effectivePrivacy(server, '{"analytics":{"min_team_size":1.5}}').unreadable, ['min_team_size']);
});

it('a change keeps the other sections of the document, and refuses one that cannot be read', () => {
  const doc = '{"compliance":{"prompt":"hash"},"analytics":{"min_team_size":7}}';
  assert.deepEqual(JSON.parse(withAnalyticsSettings(doc, { show_emails: false })), {
    compliance: { prompt: 'hash' },
    analytics: { min_team_size: 7, show_emails: false },
  });
  assert.deepEqual(JSON.parse(withAnalyticsSettings('{}', { min_team_size: 3 })), { analytics: { min_team_size: 3 } });
  for (const bad of ['{not json', '[]', '{"analytics":"hidden"}'])
    assert.throws(
      () => withAnalyticsSettings(bad, { min_team_size: 3 }),
      (e: StewardError) => e.code === 'conflict' && /cannot be read/.test(e.message),
      bad,
    );
});
