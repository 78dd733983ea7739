// Response ids are unique within a thread, not a workspace (issue 12, defect 4; decision 0020), on
// both databases: two threads whose session files reuse the same response ids (as local model servers
// and the captures' mock model do) both count, a re-import counts nothing more, and a store written
// with workspace-wide keys is migrated so that a re-read of its files stores nothing new.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { EnrichedEvent, ModelResponse } from '../../src/core/events.js';
import { createRuntime } from '../../src/app/runtime.js';
import { storeEvents } from '../../src/ingest/ingest.repository.js';
import { keyOf } from '../../src/core/events.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { collectRollout } from '../../src/session-files/adapter/parser.js';
import { importRollouts } from '../../src/session-files/import.service.js';
import { localOwner } from '../../src/session-files/local-user.service.js';
import { cliActor } from '../../src/cli/shared.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts/0.169/exec-resume');
const NAME = 'rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl';
const THREAD = '01a200dc-5835-7763-b92a-e0134f63f937';
const OTHER = '01a200dc-5835-7763-b92a-00000000beef';

const sums = async (s: TestStore) => {
  const r = await s.db
    .selectFrom('model_requests')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('output_tokens').as('o')])
    .executeTakeFirstOrThrow();
  return { requests: Number(r.n), output: Number(r.o ?? 0) };
};

for (const dialect of DIALECTS) {
  describe(`response ids per thread (${dialect})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c();
    });

    it('two threads reusing one set of response ids both count; a re-import adds nothing', async () => {
      const s = await makeStore(dialect);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-rid-'));
      cleanups.push(
        () => s.cleanup(),
        () => rm(dir, { recursive: true, force: true }),
      );
      const text = await readFile(path.join(FIX, NAME), 'utf8');
      assert.match(text, /"response_id": "resp_2"/);
      await mkdir(path.join(dir, 'a'));
      await mkdir(path.join(dir, 'b'));
      await writeFile(path.join(dir, 'a', NAME), text);
      await writeFile(path.join(dir, 'b', NAME.replace(THREAD, OTHER)), text.replaceAll(THREAD, OTHER));
      const one = (await collectRollout(path.join(dir, 'a', NAME), { final: true })).stats;
      const principal = (await localOwner(s.db, 'dev@test-host', cliActor())).principal;
      const run = () =>
        importRollouts(createRuntime(s).ingest, {
          paths: [dir],
          principal,
          creditsPerUsd: 25,
          now: () => Date.now() + 3_600_000,
        });
      await run();
      const got = await sums(s);
      assert.equal(got.requests, 2 * one.responses);
      assert.equal(got.output, 2 * one.tokens.output);
      await run();
      assert.deepEqual(await sums(s), got);
    });

    it('a store keyed workspace-wide is rewritten, and the same response then stores nothing new', async () => {
      const s = await makeStore(dialect, '0010_chained_removals');
      cleanups.push(() => s.cleanup());
      const response = (key: string): EnrichedEvent => ({
        event: {
          kind: 'response',
          key,
          responseId: 'resp_9',
          threadId: 'parent-thread',
          sourceThreadId: 'child-thread',
          // Two days ahead: today's ingest code writes into a store at 0010 here, and an event on a
          // past day would also be added to the trailing-window bases, whose tables come in 0039.
          ts: Date.now() + 2 * 86_400_000,
          model: 'gpt-5.5',
          tokens: { input: 10, cached: 0, output: 5, reasoning: 0 },
        } as ModelResponse & { sourceThreadId: string },
        workspaceId: 'ws-rid',
        userId: 'u-rid',
        clientId: 'cli',
        source: 'rollout',
        priced: { costNanoUsd: 1, creditsNano: 1, pricedModel: 'gpt-5.5', fallback: false, pricingVersion: 'test' },
      });
      // Today's ingest code also widens source_freshness (0045): a stand-in takes that row here and
      // is dropped before the migrations run, which make the real one.
      await sql`create table source_freshness (workspace_id text not null, source text not null,
        newest_event_at bigint not null, stored_at bigint, primary key (workspace_id, source))`.execute(s.db);
      assert.equal((await storeEvents(s.db, [response('resp:resp_9')])).fresh.length, 1); // as before 0012
      await sql`drop table source_freshness`.execute(s.db);
      await migrateToLatest(s.db);
      const key = keyOf(response('').event);
      assert.equal(key, 'resp:child-thread:resp_9');
      const rows = await s.db.selectFrom('model_requests').select('request_key').execute();
      assert.deepEqual(
        rows.map((r) => r.request_key),
        [key],
      );
      const rec = await s.db.selectFrom('fact_reconcile').select(['fact_key', 'stored_key']).execute();
      assert.deepEqual(rec, [{ fact_key: key, stored_key: key }]);
      assert.equal((await storeEvents(s.db, [response(key)])).fresh.length, 0);
      assert.deepEqual(await sums(s), { requests: 1, output: 5 });
    });
  });
}
