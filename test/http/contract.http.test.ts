// Route contracts: the Zod schemas validate every part of a request into the one 422 shape, and the
// OpenAPI document is generated from the same schemas (decisions/0016).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeApp, type TestApp } from '../support/app.js';

describe('route contracts (sqlite)', () => {
  let t: TestApp;
  let analytics: string;
  let admin: string;
  before(async () => {
    t = await makeApp('sqlite');
    analytics = await t.key(['codex.enterprise.analytics.read']);
    admin = await t.key(['admin']);
  });
  after(() => t.close());
  const get = (path: string, key: string) =>
    t.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
  const usage = (q: string) => get(`/v1/analytics/codex/workspaces/${t.workspaceId}/usage?${q}`, analytics);

  it('every invalid parameter is named in detail[], not only the first', async () => {
    const r = await usage('group_by=month&limit=0&start_time=yesterday');
    assert.equal(r.statusCode, 422);
    assert.deepEqual(r.json().detail, [
      {
        loc: ['query', 'start_time'],
        msg: 'must be Unix seconds or an ISO 8601 / RFC 3339 timestamp',
        type: 'value_error.datetime',
      },
      { loc: ['query', 'group_by'], msg: "must be 'day' or 'week'", type: 'value_error.enum' },
      { loc: ['query', 'limit'], msg: 'must be an integer from 1 to 30000', type: 'value_error.number.not_in_range' },
    ]);
    assert.equal(r.json().error.message, 'start_time: must be Unix seconds or an ISO 8601 / RFC 3339 timestamp');
  });

  it('a parameter given twice is refused as such', async () => {
    const r = await usage('limit=10&limit=20');
    assert.equal(r.statusCode, 422);
    assert.deepEqual(r.json().detail, [{ loc: ['query', 'limit'], msg: 'must be given once', type: 'value_error' }]);
  });

  it('an unknown query parameter is refused by name on every API, not ignored', async () => {
    const r = await usage('limit=10&statr_time=1&foo=x');
    assert.equal(r.statusCode, 422);
    assert.deepEqual(r.json().detail, [
      { loc: ['query', 'statr_time'], msg: 'unknown field statr_time', type: 'value_error.extra' },
      { loc: ['query', 'foo'], msg: 'unknown field foo', type: 'value_error.extra' },
    ]);
    assert.equal(r.json().error.message, 'statr_time: unknown field statr_time');
    const compliance = await t.key(['codex.enterprise.compliance.read']);
    const logs = await get(`/v1/compliance/workspaces/${t.workspaceId}/logs?event_type=CODEX_LOG&x=1`, compliance);
    assert.equal(logs.statusCode, 422);
    assert.deepEqual(logs.json().detail[0].loc, ['query', 'x']);
  });

  it('bodies: a missing field, a wrong type, in FastAPI terms', async () => {
    const post = (path: string, payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/admin/workspaces/${t.workspaceId}/${path}`,
        headers: { authorization: `Bearer ${admin}` },
        payload: payload as object,
      });
    const noEmail = await post('users', { name: 'x' });
    assert.equal(noEmail.statusCode, 422);
    assert.deepEqual(noEmail.json().detail, [
      { loc: ['body', 'email'], msg: 'is required', type: 'value_error.missing' },
    ]);
    const badName = await post('users', { email: 'a@b.c', name: 5 });
    assert.deepEqual(badName.json().detail, [
      { loc: ['body', 'name'], msg: 'must be a string', type: 'type_error.str' },
    ]);
    const scopes = await post('keys', { scopes: 'admin' });
    assert.deepEqual(scopes.json().detail, [
      { loc: ['body', 'scopes'], msg: 'must be an array of scope names', type: 'type_error.list' },
    ]);
  });

  it('the key is checked before the parameters: no key and bad parameters is a 401', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/v1/analytics/codex/workspaces/${t.workspaceId}/usage?limit=0`,
    });
    assert.equal(r.statusCode, 401);
  });

  it('the OpenAPI document is generated from the same schemas', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    const op = doc.paths['/v1/analytics/codex/workspaces/{workspace_id}/usage'].get;
    const limit = op.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.deepEqual([limit.in, limit.schema.maximum], ['query', 30000]);
    const start = op.parameters.find((p: { name: string }) => p.name === 'start_time');
    assert.match(
      start.description ?? start.schema.description,
      /bucket is included when it starts at or after the day \(or week, with group_by=week/,
    );
    const detail = op.responses['422'].content['application/json'].schema.properties.detail;
    assert.deepEqual(Object.keys(detail.items.properties), ['loc', 'msg', 'type']);
    const row = op.responses['200'].content['application/json'].schema.properties.data.items;
    assert.ok(row.properties.totals.properties.credits, 'usage rows are documented');
    // Every key the policy update accepts is documented, the DLP dictionary too.
    const policy = doc.paths['/v1/compliance/workspaces/{workspace_id}/policy'].put;
    const body = policy.requestBody.content['application/json'].schema.properties;
    assert.deepEqual([body.dlp_terms.type, body.dlp_terms.items.minLength, body.dlp_terms.maxItems], ['array', 3, 500]);
  });
});
