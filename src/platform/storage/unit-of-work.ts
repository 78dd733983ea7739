// One transaction's inserts that nothing reads back, collected from several repositories and sent
// by one flush(): on PostgreSQL a single statement (decisions/0010), on SQLite one after another.
// The repositories only add their parts; none needs to know what the others add.
import { insertMany, insertManyIf, type GuardUpdate, type InsertPart } from './bulk-insert.js';
import type { DbOrTrx } from './database.js';

interface Guarded {
  guard: GuardUpdate;
  parts: readonly InsertPart[];
  // Runs in the same transaction when the guard matched no row (its parts were not inserted).
  missed: (db: DbOrTrx) => Promise<void>;
  done: () => void;
}

export class UnitOfWork {
  private parts: InsertPart[] = [];
  private guarded: Guarded[] = [];

  /** Rows to insert at flush. */
  add(...parts: readonly InsertPart[]): void {
    for (const p of parts) this.parts.push(p);
  }

  /**
   * Rows to insert at flush only if `guard`, a compare-and-set UPDATE, matches its row; else
   * `missed` runs after it. `done` runs once either has (the rows are in the transaction).
   */
  addGuarded(guard: GuardUpdate, parts: readonly InsertPart[], missed: Guarded['missed'], done: () => void): void {
    this.guarded.push({ guard, parts, missed, done });
  }

  /** Sends everything added: the plain parts travel with the first guarded update. */
  async flush(db: DbOrTrx): Promise<void> {
    let always: readonly InsertPart[] = this.parts;
    const guarded = this.guarded;
    this.parts = [];
    this.guarded = [];
    for (const g of guarded) {
      const ok = await insertManyIf(db, g.guard, g.parts, always);
      always = [];
      if (!ok) await g.missed(db);
      g.done();
    }
    await insertMany(db, always);
  }
}
