// The ordered list of schema steps and the runner. A new step is a new file NNNN-name.ts added here;
// a shipped step is never edited, since user databases already carry its result.
import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors';
import { initial } from './0001-initial';
import { lastSeen } from './0002-last-seen';
import { cohort } from './0003-cohort';
import type { Migration } from './migration';

export type { Migration } from './migration';

export const migrations: readonly Migration[] = [initial, lastSeen, cohort];
export const LATEST_VERSION = migrations.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database from its user_version up to `target` (default: latest), one transaction per
 * step, so a crash leaves it at a whole version. Returns the versions applied.
 */
export function migrate(db: Database, target: number = LATEST_VERSION): number[] {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new StoreError('newer_version', `This database was written by a newer version of NormFace (schema ${current}, this app knows up to ${LATEST_VERSION}). Update the app to open it.`);
  }
  const applied: number[] = [];
  for (const step of migrations) {
    if (step.version <= current || step.version > target) continue;
    db.transaction(() => {
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
    applied.push(step.version);
  }
  return applied;
}
