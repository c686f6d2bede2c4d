import type { Migration } from './migration';

// The desk's side of a fleet (electron/services/fleet). Triggers note every local change to people,
// events and lockouts in fleet_pending inside the transaction that made it, so a change cannot be
// committed without its note (kill -9 loses nothing); the fleet turns notes into sealed, numbered
// outbox rows, sends them, and deletes them once PostgreSQL has them. While a change from the fleet is
// applied, fleet_applying holds a row, so what came in is not sent back out.
/** Trigger name, the change it follows, the note's kind and what the note names. */
const NOTES: readonly [string, string, 'person' | 'event' | 'lockout', string][] = [
  ['fleet_person_added', 'INSERT ON identities', 'person', 'NEW.id'],
  // Not last_seen_at: a check-in is an event, not an edit of the person.
  ['fleet_person_edited', 'UPDATE OF sealed_name, sealed_notes, updated_at ON identities', 'person', 'NEW.id'],
  ['fleet_person_deleted', 'DELETE ON identities', 'person', 'OLD.id'],
  ['fleet_template_added', 'INSERT ON templates', 'person', 'NEW.identity_id'],
  ['fleet_template_removed', 'DELETE ON templates', 'person', 'OLD.identity_id'],
  ['fleet_event_logged', 'INSERT ON events', 'event', 'CAST(NEW.id AS TEXT)'],
  ['fleet_lockout_set', 'INSERT ON lockouts', 'lockout', 'NEW.identity_id'],
  ['fleet_lockout_changed', 'UPDATE ON lockouts', 'lockout', 'NEW.identity_id'],
  ['fleet_lockout_cleared', 'DELETE ON lockouts', 'lockout', 'OLD.identity_id'],
];

export const fleet: Migration = {
  version: 7,
  name: 'fleet',
  up(db) {
    db.exec(`
      CREATE TABLE fleet_membership (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fleet_id TEXT NOT NULL,
        desk_id TEXT NOT NULL,
        sealed_config BLOB NOT NULL,
        joined_at INTEGER NOT NULL,
        people_cursor INTEGER NOT NULL DEFAULT 0,
        events_cursor INTEGER NOT NULL DEFAULT 0,
        lockouts_cursor INTEGER NOT NULL DEFAULT 0,
        chain_seq INTEGER NOT NULL DEFAULT 0,
        chain_mac BLOB,
        last_contact INTEGER,
        last_error TEXT
      ) STRICT;
      CREATE TABLE fleet_pending (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('person', 'event', 'lockout')),
        ref TEXT NOT NULL
      ) STRICT;
      CREATE TABLE fleet_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('person', 'event', 'lockout')),
        ref TEXT NOT NULL,
        change_id TEXT NOT NULL,
        version INTEGER,
        deleted INTEGER,
        model_id TEXT,
        desk_seq INTEGER,
        at INTEGER NOT NULL,
        failures INTEGER,
        locked_until INTEGER,
        sealed BLOB,
        mac BLOB
      ) STRICT;
      CREATE TABLE fleet_versions (
        identity_id TEXT PRIMARY KEY NOT NULL,
        version INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE TABLE fleet_set_aside (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        seq INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE fleet_applying (id INTEGER PRIMARY KEY CHECK (id = 1)) STRICT;
      ${NOTES.map(([name, when, kind, ref]) => `
      CREATE TRIGGER ${name} AFTER ${when}
        WHEN EXISTS (SELECT 1 FROM fleet_membership) AND NOT EXISTS (SELECT 1 FROM fleet_applying)
        BEGIN INSERT INTO fleet_pending (kind, ref) VALUES ('${kind}', ${ref}); END;`).join('')}

    `);
  },
};
