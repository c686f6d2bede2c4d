import type { Migration } from './migration';

// The people list shows "last seen", and the check-in log is browsed by date and by person: without
// these, both scan every event ever logged. last_seen_at is backfilled from the existing history.
export const lastSeen: Migration = {
  version: 2,
  name: 'last-seen',
  up(db) {
    db.exec(`
      ALTER TABLE identities ADD COLUMN last_seen_at INTEGER;
      UPDATE identities SET last_seen_at = (
        SELECT max(e.at) FROM events e
        WHERE e.identity_id = identities.id
          AND e.kind IN ('verify', 'identify', 'checkin')
          AND e.decision = 'accept'
      );
      CREATE INDEX events_by_time ON events(at);
      CREATE INDEX events_by_identity ON events(identity_id, at);
    `);
  },
};
