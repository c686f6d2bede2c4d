import type { Migration } from './migration';

// Operators: who may manage the app. A passphrase hash (scrypt, never the passphrase) and a sealed
// name; the face an operator may also have to show is an enrolled identity's (no foreign key: deleting
// that person must not delete the operator, who then signs in with the passphrase alone, as the
// sign-in says). The event log gains the kind 'operator' (sign-ins and every managing call): SQLite
// cannot change a CHECK, so the table is rebuilt with its rows, ids and MACs unchanged.
export const operators: Migration = {
  version: 5,
  name: 'operators',
  up(db) {
    db.exec(`
      CREATE TABLE operators (
        id TEXT PRIMARY KEY NOT NULL,
        sealed_name BLOB NOT NULL,
        passphrase_hash TEXT NOT NULL,
        face_identity_id TEXT,
        created_at INTEGER NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
        locked_until INTEGER
      ) STRICT;
    `);
    const create = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().get() as string;
    const kinds = "'training')";
    if (!create.includes(kinds)) throw new Error('migration 0005: the events table does not list its kinds as expected');
    const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL").pluck().all() as string[];
    db.exec(create.replace(kinds, "'training', 'operator')").replace(/^CREATE TABLE\s+"?events"?/, 'CREATE TABLE events_rebuilt'));
    db.exec(`
      INSERT INTO events_rebuilt SELECT * FROM events;
      DROP TABLE events;
      ALTER TABLE events_rebuilt RENAME TO events;
    `);
    for (const sql of indexes) db.exec(sql);
  },
};
