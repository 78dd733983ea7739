// Chain verification a window of seqs at a time, without handing every record to the client's
// ChainVerifier. PostgreSQL: one statement per window recomputes, in the server, every record's
// content hash and record hash and checks every link, and answers with one row; shipping 200,000
// records with their content to the client to hash there cost more CPU than the server's own work
// on the same two cores (measured: bench/compliance.bench.ts). SQLite has no SHA-256 function:
// it writes each record's hashed header itself (json_array), and this thread hashes that and the
// content, with none of the row objects, field strings and JSON.stringify of the record path.
// The client's ChainVerifier stays the referee: a window a summary does not call intact is read
// and checked record by record, so the problems reported are exactly those of the client path,
// and a formulation here that drifted from core/compliance.ts's could only slow verification
// down, never pass a record the client would fail (the hash still has to come out equal to the
// stored one, and each formulation is a JSON encoding of the fields as stored).
import { CompiledQuery, sql } from 'kysely';
import { CHAIN_FORMAT, EVENT_TYPES } from '../../core/compliance.js';
import { PREPARED, sqliteHandleOf, type DbOrTrx } from '../../platform/storage/database.js';
import { isSqlite } from '../../platform/storage/dialect.js';
import { sqliteWindowVerifier } from './sqlite-chain-windows.js';
import { arrayReader } from '../../platform/storage/sqlite-rows.js';

export interface WindowSummary {
  records: number;
  first: number | null; // lowest seq present
  last: number | null;
  // Every content hash, record hash and link inside the window holds, and every record without
  // content is older than its event type's retention cutoff.
  intact: boolean;
  removed: number; // records whose content is gone (retention)
  firstPrevHash: string | null; // prev_hash of the first record present
  lastHash: string | null; // hash of the last record present
  hashes: Map<number, string>; // stored hash of each asked-for seq present (signed checkpoints)
}

// PostgreSQL outside a transaction (the verifier holds a connection of its own): the work is the
// server's, so verify needs no worker threads.
export function verifiesInDatabase(db: DbOrTrx): boolean {
  return !isSqlite(db) && !db.isTransaction;
}

// Either database outside a transaction: windows can be summarized (withWindowVerifier).
export function summarizesWindows(db: DbOrTrx): boolean {
  return verifiesInDatabase(db) || arrayReader(db) !== null;
}

// The SQLite file behind db (outside a transaction), which helper threads open themselves
// (compliance/verify/sqlite-chain-windows.ts); null on PostgreSQL and for an in-memory database, which
// another connection would not see.
export function sqliteWindowsFile(db: DbOrTrx): string | null {
  const handle = arrayReader(db) ? sqliteHandleOf(db) : undefined;
  return handle && !handle.memory ? handle.name : null;
}

// The bytes JavaScript hashes are a string's UTF-8 encoding; textsend hands over the stored bytes
// as they are, which are those when the database is UTF8 (else convert).
async function utf8Bytes(db: DbOrTrx): Promise<(e: string) => string> {
  const { rows } = await sql<{ e: string }>`select current_setting('server_encoding') as e`.execute(db);
  return rows[0]?.e === 'UTF8' ? (e) => `textsend(${e})` : (e) => `convert_to(${e}, 'UTF8')`;
}

// core/compliance.ts recordHeader, written in SQL: [format, seq, id, workspace_id, event_type, ts,
// recorded_at, user_id, thread_id, content_sha256] as compact JSON, after prev_hash and a newline.
// to_json escapes the same characters as JSON.stringify (quote, backslash, \b \f \n \r \t, other
// controls as \u00xx) and was two thirds of the header's cost, one call per field. When none of the
// strings holds such a character (one to_json of them all comes out exactly two quotes longer),
// each field's JSON is the string between plain quotes, and the header is built that way; else
// field by field with to_json. The workspace's JSON ($4) comes from the caller: the rows are
// filtered on that workspace.
const J = (column: string) => `coalesce(to_json(${column})::text, 'null')`;
const FIELDS = `(id || event_type || coalesce(user_id, '') || coalesce(thread_id, '') || content_sha256)`;
const PLAIN = `octet_length(to_json(${FIELDS})::text) = octet_length(${FIELDS}) + 2`;
const HEADER = `prev_hash || E'\\n[${CHAIN_FORMAT},' || seq || ',' || case
    when ${PLAIN}
    then '"' || id || '",' || $4 || ',"' || event_type || '",' || ts || ',' || recorded_at || ','
      || coalesce('"' || user_id || '"', 'null') || ',' || coalesce('"' || thread_id || '"', 'null')
      || ',"' || content_sha256 || '"]'
    else ${J('id')} || ',' || $4 || ',' || ${J('event_type')} || ',' || ts || ',' || recorded_at || ','
      || ${J('user_id')} || ',' || ${J('thread_id')} || ',' || ${J('content_sha256')} || ']'
  end`;

export interface WindowVerifier {
  // cutoffs: per event type, the retention cutoff (event time, ms) under which a record of the
  // window may lack its content (the removals recorded after the window: verify-ranges.ts).
  summarize(
    workspaceId: string,
    afterSeq: number,
    untilSeq: number,
    seqs: number[],
    cutoffs: [string, number][],
  ): Promise<WindowSummary>;
}

// Runs `fn` with a verifier on one connection of the pool, held for its duration with the planner
// settings its statement wants.
export async function withWindowVerifier<T>(db: DbOrTrx, fn: (v: WindowVerifier) => Promise<T>): Promise<T> {
  const lite = arrayReader(db);
  if (lite) return fn(sqliteWindowVerifier(lite.all));
  return db.connection().execute(async (conn) => {
    // Bitmap scans off: the ranges are read in key order whatever the statistics say (see
    // compliance-scan). Records and content meet in a hash join: without statistics the planner
    // guesses a handful of rows and probes the content index once per record, or merges the two
    // scans, each twice the cost of hashing one side (measured: 20 ms against 9 per 10,000 seqs).
    // No parallel workers: verification already runs a range per core. Plans for the values at
    // hand: a generic plan of the prepared statement would guess the share of a large chain that
    // a window of seqs covers.
    await sql`select set_config('enable_bitmapscan', 'off', false), set_config('enable_nestloop', 'off', false),
      set_config('enable_mergejoin', 'off', false), set_config('max_parallel_workers_per_gather', '0', false),
      set_config('plan_cache_mode', 'force_custom_plan', false)`.execute(conn);
    try {
      return await fn(await windowVerifier(conn));
    } finally {
      await sql`select set_config(name, reset_val, false) from pg_settings where name in ('enable_bitmapscan',
        'enable_nestloop', 'enable_mergejoin', 'max_parallel_workers_per_gather', 'plan_cache_mode')`.execute(conn);
    }
  });
}

interface SummaryRow {
  records: number;
  first: number | null;
  last: number | null;
  intact: boolean;
  removed: number;
  first_prev_hash: string | null;
  last_hash: string | null;
  hashes: Record<string, string> | null;
}

async function windowVerifier(db: DbOrTrx): Promise<WindowVerifier> {
  const bytes = await utf8Bytes(db);
  // $1 workspace, $2 after, $3 until, $4 the workspace as JSON, $5 seqs in the window whose hashes
  // to return, then the retention cutoff of each event type, in EVENT_TYPES order (null: none).
  const cutoff = `case r.event_type ${EVENT_TYPES.map((t, i) => `when '${t}' then $${6 + i}::bigint`).join(' ')} end`;
  const range = 'workspace_id = $1 and seq > $2 and seq <= $3';
  // One pass over each table (primary-key ranges, bitmap scans off: see compliance-scan), joined on
  // seq; lag() sees the records in index order without a sort. c.sha is named once: the planner
  // writes its expression in at each mention, and with null tests on it every content was hashed two
  // or three times (200,000 records on one connection: 1.7 s against 1.2). The record hash is
  // compared as text, as the client does. A prepared statement (one text: a cutoff
  // parameter per event type, null where none), parsed once per connection and planned per window.
  const text = `${PREPARED}with r as (
      select seq, event_type, ts, prev_hash, content_sha256,
        lag(hash) over (order by seq) as before_hash,
        encode(sha256(${bytes(HEADER)}), 'hex') = hash as hash_ok
      from compliance_records where ${range}
    ), c as (
      select seq, encode(sha256(${bytes('content')}), 'hex') as sha from compliance_content where ${range}
    )
    select count(*)::int as records, min(r.seq) as first, max(r.seq) as last,
      coalesce(bool_and(
        r.hash_ok and (r.before_hash is null or r.before_hash = r.prev_hash)
        and case when c.seq is null then coalesce(r.ts < ${cutoff}, false) else c.sha = r.content_sha256 end
      ), true) as intact,
      (count(*) - count(c.seq))::int as removed,
      (select prev_hash from compliance_records where ${range} order by seq limit 1) as first_prev_hash,
      (select hash from compliance_records where ${range} order by seq desc limit 1) as last_hash,
      (select json_object_agg(seq, hash) from compliance_records
        where workspace_id = $1 and seq = any($5::bigint[])) as hashes
    from r left join c on c.seq = r.seq`;
  return {
    async summarize(workspaceId, afterSeq, untilSeq, seqs, cutoffs) {
      const byType = new Map(cutoffs);
      const typeParams = EVENT_TYPES.map((t) => (byType.has(t) ? Math.floor(byType.get(t)!) : null));
      const params = [
        workspaceId,
        Math.floor(afterSeq),
        Math.floor(untilSeq),
        JSON.stringify(workspaceId),
        `{${seqs.map((s) => Math.floor(s)).join(',')}}`,
        ...typeParams,
      ];
      const { rows } = await db.executeQuery<SummaryRow>(CompiledQuery.raw(text, params));
      const w = rows[0];
      return {
        records: Number(w.records),
        first: w.first === null ? null : Number(w.first),
        last: w.last === null ? null : Number(w.last),
        intact: w.intact === true,
        removed: Number(w.removed),
        firstPrevHash: w.first_prev_hash,
        lastHash: w.last_hash,
        hashes: new Map(
          Object.entries(w.hashes ?? {})
            .map(([k, v]) => [Number(k), v] as const)
            .filter(([k]) => k > afterSeq && k <= untilSeq),
        ),
      };
    },
  };
}
