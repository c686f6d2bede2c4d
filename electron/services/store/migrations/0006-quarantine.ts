import type { Migration } from './migration';

// Rows that fail the checks at open are set aside here (quarantine: kept whole, not deleted, never
// loaded); an imported person keeps only a keyed digest of the id it had in the bundle ("came from"),
// so a file can never choose an id here; and a lockout outlives the person it locked, under the same
// kind of digest, so "export, delete, re-import" brings the lock back.
export const quarantine: Migration = {
  version: 6,
  name: 'quarantine',
  up(db) {
    db.exec(`
      ALTER TABLE identities ADD COLUMN origin BLOB;
      CREATE INDEX identities_by_origin ON identities(origin);

      -- One row set aside: which table, its id, why, and the row itself (JSON, blobs still sealed, base64).
      CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('identity', 'template')),
        row_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        row TEXT NOT NULL CHECK (json_valid(row)),
        at INTEGER NOT NULL
      ) STRICT;

      -- A deleted person's lockout, with no name: keyed by the digest of the id a bundle of them carries.
      CREATE TABLE held_lockouts (
        ref BLOB PRIMARY KEY NOT NULL,
        failures INTEGER NOT NULL CHECK (failures >= 0),
        locked_until INTEGER,
        held_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
