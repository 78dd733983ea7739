// Offline verify of an export holds missing content to the same rule as verify in the database: only
// a chained retention removal later in the file explains it. An export edited to drop a recent
// record's content (its hash covers content_sha256, not the content) passed before as "removed".
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { exportChunks } from '../../src/compliance/reads/export.service.js';
import { retentionDaysOf, runRetention } from '../../src/compliance/retention/retention.service.js';
import { verifyExportStream } from '../../src/compliance/verify/export-verify.service.js';
import { SYSTEM } from '../../src/compliance/audit.service.js';
import { appendN } from '../support/compliance.js';
import { DIALECTS, makeStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const days = retentionDaysOf({ codex_log_days: 30, codex_security_log_days: 0, audit_log_days: 0, auth_log_days: 0 });

async function exportLines(s: TestStore, ws: string): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const c of exportChunks(s.db, ws, {})) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
}
const verifyLines = (lines: string[]) => verifyExportStream(Readable.from([lines.join('\n') + '\n']));

for (const dialect of DIALECTS) {
  describe(`offline verify explains missing content by the file's removals (${dialect})`, () => {
    let s: TestStore;
    before(async () => {
      s = await makeStore(dialect);
    });
    after(() => s.cleanup());

    it('retention removals in the file explain their gaps; other gaps fail', async () => {
      const ws = 'ws-export-removals';
      await appendN(s.db, ws, 6, { ts: Date.now() - 40 * DAY }, 3);
      await appendN(s.db, ws, 3, {}, 3);
      await runRetention(s.db, ws, days, SYSTEM);
      const lines = await exportLines(s, ws);
      const ok = await verifyLines(lines);
      assert.equal(ok.ok, true, JSON.stringify(ok.first_bad));
      assert.equal(ok.content_removed_by_retention, 6);

      // A recent record's content dropped from the file: no removal covers it.
      const edited = lines.map((l) => {
        const r = JSON.parse(l);
        return r.seq === 8 ? JSON.stringify({ ...r, content: null }) : l;
      });
      const bad = await verifyLines(edited);
      assert.equal(bad.ok, false);
      assert.deepEqual([bad.first_bad?.seq, bad.first_bad?.reason], [8, 'content_removed_outside_retention']);
      assert.equal(bad.content_removed_by_retention, 6);

      // The removal record cut from the file: the six old gaps are no longer explained.
      const cut = await verifyLines(lines.filter((l) => !l.includes('retention.removed')));
      assert.equal(cut.ok, false);
      assert.equal(cut.first_bad?.seq, 1);
    });
  });
}
