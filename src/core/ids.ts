import { uuidv7 } from 'uuidv7';

// Time-ordered ids keep index inserts append-only, which is what made SQLite ingest fast in the
// storage measurements (random ids caused WAL checkpoint churn).
export function newId(): string {
  return uuidv7();
}
