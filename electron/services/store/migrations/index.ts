// The ordered list of schema steps and the runner. A new step is a new file NNNN-name.ts added here;
// a shipped step is never edited, since user databases already carry its result.
import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors';
import { initial } from './0001-initial';
import { lastSeen } from './0002-last-seen';
import { cohort } from './0003-cohort';
import { sealPersonal, SEALED_VERSION } from './0004-seal-personal';
import { operators } from './0005-operators';
import { quarantine } from './0006-quarantine';
import { fleet } from './0007-fleet';
import { driftCheck } from './0008-drift-check';
import type { Migration } from './migration';

export type { Migration, MigrationContext } from './migration';
export { SEALED_VERSION };

export const migrations: readonly Migration[] = [initial, lastSeen, cohort, sealPersonal, operators, quarantine, fleet, driftCheck];

/**
 * Work a step leaves for after its transaction (VACUUM cannot run inside one), recorded in that same
 * transaction as a settings row, so a crash before it is done leaves it recorded; the store finishes
 * it at every start until done, then deletes the row.
 */
export const SEAL_CLEANUP_PENDING = 'store.sealCleanupPending';
const pendingAfter: ReadonlyMap<number, string> = new Map([[SEALED_VERSION, SEAL_CLEANUP_PENDING]]);
export const LATEST_VERSION = migrations.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database from its user_version up to `target` (default: latest), one transaction per
 * step, so a crash leaves it at a whole version. Returns the versions applied. `key` is the database
 * key: the step that seals names, notes and events needs it.
 */
export function migrate(db: Database, target: number = LATEST_VERSION, key: Buffer | null = null): number[] {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw new StoreError('newer_version', `This database was written by a newer version of NormFace (schema ${current}, this app knows up to ${LATEST_VERSION}). Update the app to open it.`);
  }
  const applied: number[] = [];
  for (const step of migrations) {
    if (step.version <= current || step.version > target) continue;
    db.transaction(() => {
      step.up(db, { key });
      const pending = pendingAfter.get(step.version);
      if (pending !== undefined) {
        db.prepare("INSERT INTO settings (key, value) VALUES (?, 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'").run(pending);
      }
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
    applied.push(step.version);
  }
  return applied;
}
