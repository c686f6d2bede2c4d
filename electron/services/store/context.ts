import type { Database } from 'better-sqlite3';

/** What each table module works on: the live connection and the sealing key. */
export interface StoreContext {
  db: Database;
  key: Buffer;
  /** The database file, named in error messages. */
  file: string;
  now(): number;
}
