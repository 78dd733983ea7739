import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { CONFIG_DEFAULTS } from './defaults.js';
import { defaultsOnly, loadConfigLazily } from './load-defaults.js';
import { ConfigError, loadConfig, type LoadOptions } from './load.js';
import { configSchema } from './schema.js';

const tmp = (text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-cfg-')), 'steward.toml');
  fs.writeFileSync(f, text);
  return f;
};

it("the plain defaults are the schema's parse of {}", () => {
  assert.deepStrictEqual(CONFIG_DEFAULTS, configSchema.parse({}));
});

it('with nothing to validate: the schema’s result, frozen, without the schema', () => {
  const blank = tmp('\n  \n');
  const cases: LoadOptions[] = [
    { env: {} },
    { env: { STEWARD_KEY: 'k', STEWARD_CONFIG: blank, HOME: '/h' } },
    { env: {}, configFile: blank, defaults: { data: '/home/u/.steward' } },
    { env: {}, defaults: { data: '/home/u/.steward' }, flags: { data: 'here', database_url: undefined } },
  ];
  for (const opts of cases) {
    const quick = defaultsOnly(opts);
    assert.ok(quick, JSON.stringify(opts));
    assert.deepStrictEqual(quick, loadConfig(opts));
    assert.ok(Object.isFrozen(quick) && Object.isFrozen(quick.pricing) && Object.isFrozen(quick.github.bot_logins));
  }
  assert.equal(defaultsOnly(cases[3]!)!.data, 'here');
});

it('anything set but the data directory goes to the schema', async () => {
  const cases: LoadOptions[] = [
    { env: { STEWARD_PORT: '9100' } },
    { env: { STEWARD_PRICING_CREDITS_PER_USD: '0' } }, // invalid: the schema refuses it
    { env: {}, configFile: tmp('[pricing]\ncredits_per_usd = 10\n') },
    { env: {}, configFile: tmp('# only a comment\n') },
    { env: {}, flags: { database_url: 'postgres://x/y' } },
    { env: {}, flags: { data: '' } },
    { env: {}, defaults: { port: 1 } },
  ];
  for (const opts of cases) {
    assert.equal(defaultsOnly(opts), undefined, JSON.stringify(opts));
    let expected: unknown;
    try {
      expected = loadConfig(opts);
    } catch (e) {
      expected = e;
    }
    if (expected instanceof ConfigError) await assert.rejects(loadConfigLazily(opts), ConfigError);
    else assert.deepStrictEqual(await loadConfigLazily(opts), expected);
  }
});

it('a config file that cannot be read is refused either way', async () => {
  const opts = { env: {}, configFile: path.join(os.tmpdir(), 'steward-no-such-dir', 'steward.toml') };
  assert.throws(() => defaultsOnly(opts), ConfigError);
  await assert.rejects(loadConfigLazily(opts), ConfigError);
});
