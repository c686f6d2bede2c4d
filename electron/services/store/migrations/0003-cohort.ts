import type { Migration } from './migration';

// The opt-in cohort of unrecognised faces: kiosk visits that ended "not recognised" keep their fused
// template (never an image), sealed like every template, for the local calibration check and as
// fine-tuning negatives. No identity: a stranger has none. Aged out by created_at.
export const cohort: Migration = {
  version: 3,
  name: 'cohort',
  up(db) {
    db.exec(`
      CREATE TABLE cohort (
        id TEXT PRIMARY KEY NOT NULL,
        model_id TEXT NOT NULL,
        dim INTEGER NOT NULL CHECK (dim > 0),
        vector BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX cohort_by_time ON cohort(created_at);
    `);
  },
};
