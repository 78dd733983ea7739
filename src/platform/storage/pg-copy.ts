// Bulk reads on PostgreSQL without row objects: `COPY (SELECT …) TO STDOUT (FORMAT binary)` through
// pg-copy-streams, parsed here field by field. The regular driver path turns every row into a
// message object, one string per field and a row object (measured: most of verify's client time on
// PostgreSQL, on a machine where the client shares its cores with the server); the binary COPY
// stream is a run of length-prefixed fields that we read in place, so text can stay bytes (hashed
// or copied as they are) and bigints need no string round trip. See docs/decisions/0008-compliance-bulk-reads.md.
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { pgPoolOf, type DbOrTrx } from './database.js';

// A connection of the store's pool held for a run of COPY statements (null on SQLite and inside
// transactions: callers use their Kysely path there).
export interface CopyConnection {
  // Literal for a string inside COPY's query (COPY takes no bind parameters).
  literal(s: string): string;
  // The statement's binary output as it arrives, chunk by chunk (chunks do not follow row edges).
  copyOut(select: string): Readable;
  // Back to the pool once the server is ready for the next query; `broken` (a COPY left unread
  // or failed) closes the connection instead.
  release(broken?: boolean): Promise<void>;
}

// `settings`: planner settings (name -> value) for this run of statements, reset at release.
export async function copyConnection(
  db: DbOrTrx,
  settings: Record<string, string> = {},
): Promise<CopyConnection | null> {
  const pool = pgPoolOf(db);
  if (!pool) return null;
  const client: pg.PoolClient = await pool.connect();
  const names = Object.keys(settings).filter((n) => /^[a-z_]+$/.test(n));
  try {
    for (const n of names) await client.query(`set ${n} = ${client.escapeLiteral(settings[n])}`);
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
  let released = false;
  // The copy stream ends at CopyDone; the statement is over for the client only at the
  // ReadyForQuery after it. A connection handed back before that still has an active query
  // (pool.end() would then wait on it), so release waits for the last one.
  let ready: Promise<void> = Promise.resolve();
  return {
    literal: (s) => client.escapeLiteral(s),
    copyOut: (select) => {
      const q = copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`) as ReturnType<typeof copyTo> & {
        handleReadyForQuery(): void;
      };
      ready = new Promise((resolve) => {
        q.handleReadyForQuery = resolve;
      });
      return client.query(q);
    },
    release: async (broken) => {
      if (released) return;
      released = true;
      if (broken) return client.release(new Error('COPY interrupted'));
      await ready;
      try {
        for (const n of names) await client.query(`reset ${n}`);
      } catch (e) {
        return client.release(e as Error);
      }
      client.release();
    },
  };
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const EMPTY = Buffer.alloc(0);
const MAX_FIELDS = 64;

// Incremental parser of PostgreSQL's binary COPY format (documented with COPY: an 11-byte
// signature, flags, a header extension; then per tuple an int16 field count and per field an int32
// length, -1 for NULL, and the bytes; an int16 -1 ends the data). Push chunks as they come; each
// complete tuple is handed to `onTuple` with its fields readable through the accessors below until
// `onTuple` returns. Byte views of a field (bytes()) stay valid after that: they share the chunk.
export class BinaryCopyParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private header = false;
  done = false;
  fields = 0;
  private readonly start = new Int32Array(MAX_FIELDS);
  private readonly len = new Int32Array(MAX_FIELDS);

  push(chunk: Buffer, onTuple: (p: BinaryCopyParser) => void): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const buf = this.buf;
    const end = buf.length;
    if (!this.header) {
      if (end < 19) return;
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const ext = buf.readUInt32BE(15);
      if (end < 19 + ext) return;
      this.pos = 19 + ext;
      this.header = true;
    }
    for (;;) {
      let p = this.pos;
      if (this.done || p + 2 > end) return;
      const n = buf.readInt16BE(p);
      if (n === -1) {
        this.done = true;
        this.pos = p + 2;
        return;
      }
      if (n < 0 || n > MAX_FIELDS) throw new Error(`binary COPY: unexpected field count ${n}`);
      p += 2;
      let i = 0;
      for (; i < n; i++) {
        if (p + 4 > end) break;
        const l = buf.readInt32BE(p);
        p += 4;
        this.start[i] = p;
        this.len[i] = l;
        if (l > 0) {
          if (p + l > end) break;
          p += l;
        }
      }
      if (i < n) return; // incomplete tuple: wait for the next chunk
      this.fields = n;
      this.pos = p;
      onTuple(this);
    }
  }

  isNull(i: number): boolean {
    return this.len[i] < 0;
  }

  // int8 (or int4) as a number; exact up to 2^53, as the rest of Steward assumes.
  int(i: number): number {
    const s = this.start[i];
    if (this.len[i] === 4) return this.buf.readInt32BE(s);
    return this.buf.readInt32BE(s) * 4294967296 + this.buf.readUInt32BE(s + 4);
  }

  text(i: number): string {
    const s = this.start[i];
    return this.buf.toString('utf8', s, s + this.len[i]);
  }

  textOrNull(i: number): string | null {
    return this.len[i] < 0 ? null : this.text(i);
  }

  // The field's bytes (text arrives as UTF-8: pg sets client_encoding) without copying.
  bytes(i: number): Buffer {
    const s = this.start[i];
    return this.buf.subarray(s, s + Math.max(0, this.len[i]));
  }
}
