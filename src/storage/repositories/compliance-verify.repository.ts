// Chain verification inside PostgreSQL: one statement per window of seqs recomputes, in the
// server, every record's content hash and record hash and checks every link, and answers with one
// row. Shipping 200,000 records with their content to the client to hash there cost more CPU than
// the server's own work on the same two cores (measured: bench/compliance.bench.ts). The client's
// ChainVerifier stays the referee: a window this summary does not call intact is read and checked
// record by record, so the problems reported are exactly those of the client path, and a
// formulation here that drifted from core/compliance.ts's could only slow verification down, never
// pass a record the client would fail (the hash still has to come out equal to the stored one).
// SQLite has no SHA-256 function; it always takes the client path.
import { sql, type RawBuilder } from 'kysely';
import { CHAIN_FORMAT } from '../../core/compliance.js';
import type { DbOrTrx } from '../database.js';
import { isSqlite } from '../dialect.js';

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

// PostgreSQL outside a transaction (the verifier holds a connection of its own).
export function verifiesInDatabase(db: DbOrTrx): boolean {
  return !isSqlite(db) && !db.isTransaction;
}

// The bytes JavaScript hashes are a string's UTF-8 encoding; textsend hands over the stored bytes
// as they are, which are those when the database is UTF8 (else convert).
async function utf8Bytes(db: DbOrTrx): Promise<(e: RawBuilder<string>) => RawBuilder<Uint8Array>> {
  const { rows } = await sql<{ e: string }>`select current_setting('server_encoding') as e`.execute(db);
  return rows[0]?.e === 'UTF8' ? (e) => sql`textsend(${e})` : (e) => sql`convert_to(${e}, 'UTF8')`;
}

// JSON text of a text column exactly as JSON.stringify writes it (to_json escapes the same
// characters the same way: quote, backslash, \b \f \n \r \t, other controls as \u00xx).
const json = (column: string) => sql`coalesce(to_json(${sql.ref(column)})::text, 'null')`;

// core/compliance.ts recordHeader, written in SQL: [format, seq, id, workspace_id, event_type, ts,
// recorded_at, user_id, thread_id, content_sha256] as compact JSON, after prev_hash and a newline.
const HASHED = sql<string>`prev_hash || ${`\n[${CHAIN_FORMAT},`} || seq || ',' || ${json('id')} || ',' || ${json('workspace_id')} || ',' || ${json('event_type')} || ',' || ts || ',' || recorded_at || ',' || ${json('user_id')} || ',' || ${json('thread_id')} || ',' || ${json('content_sha256')} || ']'`;

export interface WindowVerifier {
  summarize(workspaceId: string, afterSeq: number, untilSeq: number, seqs: number[]): Promise<WindowSummary>;
}

// Runs `fn` with a verifier on one connection of the pool, held for its duration with the planner
// settings its statements want. cutoffs: per event type, the newest retention cutoff (event time,
// ms) any retention run applied.
export async function withWindowVerifier<T>(db: DbOrTrx, cutoffs: Map<string, number>, fn: (v: WindowVerifier) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    // Bitmap scans off: the ranges are read in key order whatever the statistics say (see
    // compliance-scan). No parallel workers: verification already runs a range per core.
    await sql`select set_config('enable_bitmapscan', 'off', false), set_config('max_parallel_workers_per_gather', '0', false)`.execute(conn);
    try {
      return await fn(await windowVerifier(conn, cutoffs));
    } finally {
      await sql`select set_config(name, reset_val, false) from pg_settings where name in ('enable_bitmapscan', 'max_parallel_workers_per_gather')`.execute(conn);
    }
  });
}

async function windowVerifier(db: DbOrTrx, cutoffs: Map<string, number>): Promise<WindowVerifier> {
  const bytes = await utf8Bytes(db);
  const cases = [...cutoffs].map(([type, cutoff]) => sql`when ${type} then ${Math.floor(cutoff)}::bigint`);
  const cutoff = cases.length ? sql`case r.event_type ${sql.join(cases, sql` `)} end` : sql`null::bigint`;
  return {
    async summarize(workspaceId, afterSeq, untilSeq, seqs) {
      // Two primary-key range scans in seq order (bitmap scans off: see compliance-scan), merged
      // by seq; the window functions see the records in order without a sort. The record hash is
      // compared as text, as the client does: decode() takes upper-case hex (and spaces) for the same
      // bytes, so a hash altered that way at the end of a window passed here, and the report named
      // the next record (or the head) instead of it.
      const { rows } = await sql<{
        records: number;
        first: number | null;
        last: number | null;
        intact: boolean;
        removed: number;
        first_prev_hash: string | null;
        last_hash: string | null;
        hashes: Record<string, string> | null;
      }>`
        with r as (
          select seq, event_type, ts, prev_hash, hash, content_sha256,
            lag(hash) over (order by seq) as before_hash,
            lead(seq) over (order by seq) is null as is_last,
            encode(sha256(${bytes(HASHED)}), 'hex') = hash as hash_ok
          from compliance_records
          where workspace_id = ${workspaceId} and seq > ${afterSeq} and seq <= ${untilSeq}
        ), c as (
          select seq, sha256(${bytes(sql`content`)}) as sha
          from compliance_content
          where workspace_id = ${workspaceId} and seq > ${afterSeq} and seq <= ${untilSeq}
        )
        select count(*)::int as records, min(r.seq) as first, max(r.seq) as last,
          coalesce(bool_and(
            r.hash_ok and (r.before_hash is null or r.before_hash = r.prev_hash)
            and case when c.sha is null then coalesce(r.ts < ${cutoff}, false) else c.sha = decode(r.content_sha256, 'hex') end
          ), true) as intact,
          (count(*) filter (where c.sha is null))::int as removed,
          max(r.prev_hash) filter (where r.before_hash is null) as first_prev_hash,
          max(r.hash) filter (where r.is_last) as last_hash,
          json_object_agg(r.seq, r.hash) filter (where r.seq = any(${`{${seqs.map((s) => Math.floor(s)).join(',')}}`}::bigint[])) as hashes
        from r left join c on c.seq = r.seq`.execute(db);
      const w = rows[0];
      return {
        records: Number(w.records),
        first: w.first === null ? null : Number(w.first),
        last: w.last === null ? null : Number(w.last),
        intact: w.intact === true,
        removed: Number(w.removed),
        firstPrevHash: w.first_prev_hash,
        lastHash: w.last_hash,
        hashes: new Map(Object.entries(w.hashes ?? {}).map(([k, v]) => [Number(k), v])),
      };
    },
  };
}
