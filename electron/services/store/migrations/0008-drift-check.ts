import type { Migration } from './migration';

// The calibration drift check logged under 'identify', which said something that did not happen (no
// one was identified). It gains its own kind 'drift-check'. As in 0005, SQLite cannot change a CHECK, so
// the events table is rebuilt with its rows, ids and MACs unchanged, and its indexes and the fleet's
// trigger (0007) put back. Entries already logged keep 'identify': the kind is in each entry's MAC.
export const driftCheck: Migration = {
  version: 8,
  name: 'drift-check',
  up(db) {
    const create = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'").pluck().get() as string;
    const kinds = "'training', 'operator')";
    if (!create.includes(kinds)) throw new Error('migration 0008: the events table does not list its kinds as expected');
    // Indexes and triggers go with the dropped table: read them first, make them again after.
    const dependents = db.prepare("SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY type, name").pluck().all() as string[];
    db.exec(create.replace(kinds, "'training', 'operator', 'drift-check')").replace(/^CREATE TABLE\s+"?events"?/, 'CREATE TABLE events_rebuilt'));
    db.exec(`
      INSERT INTO events_rebuilt SELECT * FROM events;
      DROP TABLE events;
      ALTER TABLE events_rebuilt RENAME TO events;
    `);
    for (const sql of dependents) db.exec(sql);
  },
};
