// Migration 0024 on both databases: session-file content stored the old way (rollout_content, on
// a store whose chain already holds records) is chained exactly once, in time order, after the
// existing records; the chain verifies; the table is gone; reading the same files again appends
// nothing, because the migration claimed each item's once-key.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { collectRollout } from '../../src/session-files/adapter/parser.js';
import { ContentKeyer, contentItem } from '../../src/session-files/store.service.js';
import { importRollouts } from '../../src/session-files/import.service.js';
import { localOwner } from '../../src/session-files/local-user.service.js';
import { createRuntime } from '../../src/app/runtime.js';
import { cliActor } from '../../src/cli/shared.js';
import { migrateToLatest } from '../../src/migrations/migrate.js';
import { verifyChain } from '../../src/compliance/index.js';
import type { Principal } from '../../src/ingest/pipeline/steps.js';
import { chainRows, sessionItems } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rollouts/0.169');
const FILES = [
  path.join(FIX, 'exec-resume/rollout-2026-11-22T01-26-10-01a200dc-5835-7763-b92a-e0134f63f937.jsonl'),
  path.join(FIX, 'compaction/rollout-2026-11-22T01-33-17-01a200e2-ded6-7281-b18e-0d6c8ab0a6e9.jsonl'),
];

for (const dialect of DIALECTS)
  describe(`migration 0024 session items into the chain (${dialect})`, () => {
    let s: TestStore;
    let principal: Principal;
    let old: Record<string, unknown>[] = [];
    let chainBefore: number;
    before(async () => {
      s = await makeStore(dialect, '0022_tool_event_source');
      principal = (await localOwner(s.db, 'dev@test-host', cliActor())).principal;
      const ws = principal.workspaceId;
      // The rows as store.service.ts wrote them before 0024, newest file first (the migration orders).
      for (const f of [...FILES].reverse()) {
        const keyer = new ContentKeyer();
        for (const c of (await collectRollout(f, { final: true })).content) {
          const x = contentItem(c, keyer.key(c), ws, principal.userId!, 'local').draft.content as any;
          old.push({
            workspace_id: ws,
            thread_id: x.thread_id,
            line_key: x.line_key,
            attributed_thread_id: x.attributed_thread_id,
            user_id: x.user_id,
            turn_id: x.turn_id,
            ts: c.ts,
            kind: x.item_kind,
            line_no: x.line_no,
            byte_offset: x.byte_offset,
            ordinal: x.ordinal,
            origin: 'local',
            body: JSON.stringify(x.item),
          });
        }
      }
      for (let i = 0; i < old.length; i += 200)
        await (s.db as any)
          .insertInto('rollout_content')
          .values(old.slice(i, i + 200))
          .execute();
      chainBefore = (await chainRows(s.db, ws)).length;
      assert.ok(chainBefore > 0, 'the store already has a chain');
      await migrateToLatest(s.db);
    });
    after(() => s.cleanup());

    it('chains every row once, in time order, after the existing records', async () => {
      const ws = principal.workspaceId;
      const items = await sessionItems(s.db, ws);
      assert.equal(items.length, old.length);
      const key = (r: any) => [Number(r.ts), r.thread_id, Number(r.byte_offset), r.line_key] as const;
      const cmp = (a: readonly any[], b: readonly any[]) => {
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
        return 0;
      };
      const expected = [...old].sort((a, b) => cmp(key(a), key(b)));
      assert.deepEqual(
        items.map((i) => [i.content.thread_id, i.content.line_key, i.content.item_kind, i.content.item]),
        expected.map((r) => [r.thread_id, r.line_key, r.kind, JSON.parse(r.body as string)]),
      );
      assert.equal(items[0]!.seq, chainBefore + 1);
      assert.equal(items.at(-1)!.seq, chainBefore + old.length);
      const v = await verifyChain(s.db, ws);
      assert.equal(v.ok, true, JSON.stringify(v.first_bad));
      const left = await sql`select count(*) as n from rollout_content`.execute(s.db).then(
        () => 'present',
        () => 'gone',
      );
      assert.equal(left, 'gone');
    });

    it('reading the same files again appends no item', async () => {
      const headBefore = (await chainRows(s.db, principal.workspaceId)).length;
      const r = await importRollouts(createRuntime(s).ingest, {
        paths: FILES,
        principal,
        creditsPerUsd: 25,
        hostName: 'test-host',
        now: () => Date.now() + 3_600_000,
      });
      assert.equal(r.files.read, FILES.length);
      assert.equal(r.stored.content, 0);
      assert.equal((await sessionItems(s.db, principal.workspaceId)).length, old.length);
      assert.ok((await chainRows(s.db, principal.workspaceId)).length > headBefore, 'the facts are new records');
    });
  });
