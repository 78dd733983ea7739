// PostgreSQL: the search indexer leaves no entries in the GIN indexes' pending lists (decisions/0059).
// Its inserts go to each partition's pending list (fastupdate), which a search reads whole and the
// planner counts against the index; gin_clean_pending_list, asked after the indexer, returns the
// pages it still had to flush: none. SQLite's FTS5 index has no such list.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { indexPending } from '../../src/compliance/reads/search-indexer.service.js';
import { appendN } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const pendingPages = async (s: TestStore) =>
  Number(
    (
      await sql<{ n: string | null }>`select sum(gin_clean_pending_list(relid)) as n
        from pg_partition_tree('compliance_search_index_trgm') where isleaf`.execute(s.db)
    ).rows[0]?.n ?? 0,
  );

if (DIALECTS.includes('postgres'))
  describe('search index pending lists (postgres)', () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore('postgres');
    });
    after(() => s?.cleanup());

    it('the indexer flushes what it inserted into the GIN indexes proper', async () => {
      // Enough distinct trigrams to fill pending pages (each page holds a few kB of entries).
      await appendN(s.db, 'ws-1', 400, {}, 100);
      await sql`update compliance_content set content = content || repeat(md5(seq::text), 20)`.execute(s.db);
      assert.equal(await indexPending(s.db), 400);
      const rows = await sql<{ n: string }>`select count(*) as n from compliance_search_index`.execute(s.db);
      assert.equal(Number(rows.rows[0].n), 400);
      assert.equal(await pendingPages(s), 0);
    });
  });
