import type { Migration } from './migration';

// STRICT tables and CHECKs so a bad value is refused by the file itself, not only by the API.
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE identities (
        id TEXT PRIMARY KEY NOT NULL,
        display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        notes TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- vector and thumbnail are AES-GCM sealed (see seal.ts); dim is the plaintext's Float32 count.
      CREATE TABLE templates (
        id TEXT PRIMARY KEY NOT NULL,
        identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        model_id TEXT NOT NULL,
        dim INTEGER NOT NULL CHECK (dim > 0),
        vector BLOB NOT NULL,
        quality TEXT NOT NULL CHECK (json_valid(quality)),
        source TEXT NOT NULL CHECK (source IN ('camera', 'photo')),
        thumbnail BLOB,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX templates_by_identity ON templates(identity_id);

      CREATE TABLE training_runs (
        id TEXT PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL UNIQUE,
        settings TEXT NOT NULL CHECK (json_valid(settings)),
        metrics TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
        status TEXT NOT NULL CHECK (status IN ('running', 'accepted', 'rejected', 'rolled_back', 'failed')),
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        duration_ms INTEGER,
        accepted_at INTEGER
      ) STRICT;

      CREATE TABLE agents (
        run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        dim INTEGER NOT NULL CHECK (dim > 0),
        vector BLOB NOT NULL,
        PRIMARY KEY (run_id, identity_id)
      ) STRICT;
      CREATE INDEX agents_by_identity ON agents(identity_id);

      -- No foreign key on identity_id: the history outlives the identity, under a copy of its name.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('enroll', 'delete', 'verify', 'identify', 'checkin', 'lockout', 'backup', 'restore', 'training')),
        identity_id TEXT,
        display_name TEXT,
        score REAL,
        decision TEXT CHECK (decision IS NULL OR decision IN ('accept', 'reject', 'locked')),
        details TEXT CHECK (details IS NULL OR json_valid(details))
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL CHECK (json_valid(value))
      ) STRICT;

      CREATE TABLE lockouts (
        identity_id TEXT PRIMARY KEY NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
        locked_until INTEGER
      ) STRICT;

      -- A known plaintext sealed under the key, so a wrong key is told apart from a damaged template.
      CREATE TABLE key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
      ) STRICT;
    `);
  },
};
