import type { Database } from 'better-sqlite3';

/** What a step may need besides the connection: the database key, for steps that seal existing rows. */
export interface MigrationContext {
  /** Null only where no step that seals is run (tests that build old versions). */
  key: Buffer | null;
}

/** One numbered schema step. `up` runs inside a transaction together with the user_version bump. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database, context: MigrationContext): void;
}
