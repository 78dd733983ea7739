// Windows of a workspace's chain checked whole on SQLite (verify; the PostgreSQL counterpart is
// verify.repository.ts). Used by verify's own thread through Kysely's
// connection and by its helper threads, which open the file themselves with nothing but the driver
// and core/compliance.ts loaded: a helper that loaded Kysely and the services first took ~450 ms
// to start beside the main thread, most of a 200,000-record verify.
import { setImmediate } from 'node:timers/promises';
import { CHAIN_FORMAT, EVENT_TYPES, sha256hex } from '../../core/compliance.js';
import { openSqliteFileReader } from '../../platform/storage/sqlite-file-reader.js';
import type { WindowSummary, WindowVerifier } from './verify.repository.js';

// Every row of a statement as arrays of its columns (sqlite-rows.ts ArrayReader.all, or a
// connection of this module's own).
export type RowsOf = (text: string, params: unknown[]) => unknown[][] | Promise<unknown[][]>;

// Each record's "prev_hash \n header" as SQLite's json_array writes it, which escapes what
// JSON.stringify escapes the same way (quote, backslash, \b \f \n \r \t, other controls as
// \u00xx) and writes integers as digits. Where the two could differ (a REAL stored in a column,
// text that is not UTF-8) the hash does not come out equal, and a BLOB makes json_array fail: the
// window is then not intact and the record path decides.
// The workspace is the caller's, as the record path has it. covered: the record is older than its
// type's retention cutoff for the window (its content may be gone); a type without one: null, never covered.
const SQLITE_PAGE = 1000; // records per read, as scanRecords reads them (young-generation garbage)
const sqliteContent =
  'select seq, content from compliance_content where workspace_id = ? and seq > ? and seq <= ? order by seq';

const covered = `case event_type ${EVENT_TYPES.map((t) => `when '${t}' then ts < ?`).join(' ')} else 0 end`;
const chain = `select seq,
    prev_hash || char(10) || json_array(${CHAIN_FORMAT}, seq, id, ?, event_type, ts, recorded_at, user_id, thread_id,
      content_sha256),
    hash, prev_hash, content_sha256, ${covered}
  from compliance_records where workspace_id = ? and seq > ? and seq <= ? order by seq`;

export function sqliteWindowVerifier(all: RowsOf): WindowVerifier {
  return {
    async summarize(workspaceId, afterSeq, untilSeq, seqs, cutoffs) {
      const byType = new Map(cutoffs);
      const typeParams = EVENT_TYPES.map((t) => byType.get(t) ?? null);
      const w: WindowSummary = {
        records: 0,
        first: null,
        last: null,
        intact: true,
        removed: 0,
        firstPrevHash: null,
        lastHash: null,
        hashes: new Map(),
      };
      const wanted = new Set(seqs);
      for (let after = afterSeq; after < untilSeq && w.intact; after += SQLITE_PAGE) {
        const until = Math.min(after + SQLITE_PAGE, untilSeq);
        let rows: unknown[][];
        try {
          rows = await all(chain, [workspaceId, ...typeParams, workspaceId, after, until]);
        } catch {
          w.intact = false; // json_array refused a value (a BLOB): the record path reads it as it is
          break;
        }
        const contents = rows.length ? await all(sqliteContent, [workspaceId, after, until]) : [];
        let k = 0; // next content row
        for (const r of rows) {
          const seq = r[0] as number;
          const header = r[1];
          const hash = r[2] as string;
          const prev = r[3] as string;
          while (k < contents.length && (contents[k][0] as number) < seq) k++;
          const content = k < contents.length && contents[k][0] === seq ? (contents[k][1] as string | null) : null;
          const contentOk = content === null ? r[5] === 1 : sha256hex(content) === r[4];
          if (
            !contentOk ||
            typeof header !== 'string' ||
            sha256hex(header) !== hash ||
            (w.lastHash !== null && prev !== w.lastHash)
          ) {
            w.intact = false; // the caller checks the window record by record
            break;
          }
          if (content === null) w.removed++;
          if (w.first === null) {
            w.first = seq;
            w.firstPrevHash = prev;
          }
          if (wanted.has(seq)) w.hashes.set(seq, hash);
          w.records++;
          w.last = seq;
          w.lastHash = hash;
        }
        // Reads complete synchronously: let the event loop run (worker threads waiting for their
        // next range).
        await setImmediate();
      }
      return w;
    },
  };
}

// A connection of its own to the file, for a helper thread.
export function openSqliteWindows(file: string): { verifier: WindowVerifier; close(): void } {
  const reader = openSqliteFileReader(file);
  return { verifier: sqliteWindowVerifier((text, params) => reader.all(text, params)), close: () => reader.close() };
}
