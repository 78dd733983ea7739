// A read-only connection of its own to a SQLite file, rows as arrays, for helper threads that must
// start fast: it loads the driver and nothing else of ours (no Kysely, no services).
import SQLite from 'better-sqlite3';

export interface SqliteFileReader {
  all(text: string, params: unknown[]): unknown[][];
  close(): void;
}

// mmap as preferMappedReads sets it for the main connection.
export function openSqliteFileReader(file: string): SqliteFileReader {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('mmap_size = 1073741824');
  const statements = new Map<string, SQLite.Statement>();
  return {
    all(text, params) {
      let st = statements.get(text);
      if (!st) statements.set(text, (st = sqlite.prepare(text).raw(true)));
      return st.all(...params) as unknown[][];
    },
    close: () => sqlite.close(),
  };
}
