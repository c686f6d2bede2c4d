// openStore: the one door to the database. Every method maps failures to StoreError, and every
// change of several rows is one transaction (see the table modules).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import * as backups from './backup';
import * as cohort from './cohort';
import { checkIntegrity, checkKey, openConnection } from './connection';
import type { StoreContext } from './context';
import { StoreError, toStoreError } from './errors';
import * as events from './events';
import * as fleet from './fleet';
import * as identities from './identities';
import { readKey } from './keyring';
import type { Keyring } from './keyring';
import { LATEST_VERSION, migrate, schemaVersion, SEALED_VERSION } from './migrations/index';
import * as portable from './portable';
import * as settings from './settings';
import * as training from './training';
import type {
  ActiveAgents, BackupInfo, CohortPolicy, CohortTemplate, EventQuery, FinishedRun, Identity, IdentityDetail, IdentitySummary, Json, JsonObject,
  ImportAction, ImportOutcome, Lockout, LogCheck, NewEvent, NewTemplate, PortableIdentity, StoreEvent, StoredTemplate, TemplateInfo,
  TrainingOutcome, TrainingRun,
} from './types';

export interface OpenStoreOptions {
  /** Folder holding normface.db and backups/ (created 0700 if absent). */
  dir: string;
  keyring: Keyring;
  /** Copy the database to backups/auto-backup.db at open when it changed since the last copy. Default true. */
  autoBackup?: boolean;
  /** Caps the database size; writes beyond it fail with 'disk_full' (a quota, and how tests fill the disk). */
  maxBytes?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface Store {
  readonly dir: string;
  readonly file: string;
  /** Why the automatic backup at open failed (the store works regardless), or null. Show it to the person. */
  readonly autoBackupProblem: StoreError | null;

  createIdentity(input: { displayName: string; notes?: string; templates: readonly NewTemplate[] }): IdentityDetail;
  addTemplates(identityId: string, templates: readonly NewTemplate[]): TemplateInfo[];
  /** Refuses to remove an identity's last template (delete the identity instead). */
  removeTemplate(templateId: string): void;
  renameIdentity(identityId: string, displayName: string): Identity;
  updateNotes(identityId: string, notes: string): Identity;
  /** Erases the identity, its templates, thumbnails, agents and lockout for good, and logs a 'delete' event. */
  deleteIdentity(identityId: string): void;
  listIdentities(): IdentitySummary[];
  getIdentity(identityId: string): IdentityDetail;
  templateThumbnail(templateId: string): Uint8Array | null;
  /** Every template (or one identity's), opened; consume it fully before the next write (SQLite keeps the read open meanwhile). */
  allTemplates(identityId?: string): Iterable<StoredTemplate>;

  logEvent(event: NewEvent): StoreEvent;
  listEvents(query?: EventQuery): StoreEvent[];
  /** The event log's MAC chain as checked when the database was (re)opened; a break never stops the store. */
  eventLog(): LogCheck;

  /** The chosen identities (all when absent), opened, for a passphrase-sealed bundle. */
  exportIdentities(identityIds?: readonly string[]): PortableIdentity[];
  /** Adds, merges or skips each identity (by its bundle id; absent: add) in one transaction, sealed under this key. */
  importIdentities(people: readonly PortableIdentity[], actions: ReadonlyMap<string, ImportAction>): ImportOutcome;

  getSetting(key: string): Json | undefined;
  setSetting(key: string, value: Json): void;
  getLockout(identityId: string): Lockout;
  /** failures 0 and lockedUntil null clears the row. */
  setLockout(state: Lockout): void;

  createRun(settings: JsonObject): TrainingRun;
  finishRun(runId: string, outcome: TrainingOutcome): FinishedRun;
  listRuns(): TrainingRun[];
  activeAgents(): ActiveAgents | null;
  acceptRun(runId: string): TrainingRun;
  rollback(): TrainingRun | null;

  /** Keeps an unrecognised visit's fused template (sealed), then ages out and caps the cohort. */
  addToCohort(modelId: string, vector: Float32Array, policy: CohortPolicy): string;
  /** Removes what the policy no longer allows (by the store's clock); returns how many went. */
  pruneCohort(policy: CohortPolicy): number;
  cohortSize(): { count: number; oldestAt: number | null };
  /** Every cohort face, opened; consume it fully before the next write. */
  cohortTemplates(): Iterable<CohortTemplate>;
  /** Erases every cohort face for good (secure_delete, WAL truncated); returns how many. */
  clearCohort(): number;

  backup(toFile: string): Promise<BackupInfo>;
  /** Validates `file`, replaces the live database with it atomically and migrates it. Reload the matcher after. */
  restoreFrom(file: string): BackupInfo;
  /** The automatic backup file, or null when none was made yet. */
  lastBackup(): string | null;
  /** Erases every identity, template, agent, event, setting and backup; the key stays. */
  deleteAllData(): void;
  /**
   * True when another connection (the `normface` command, a second app) committed since the last call:
   * SQLite's data_version, one cheap read, so hosts reload their caches only when they must.
   */
  changedElsewhere(): boolean;
  /** What the person must know about the database, each with a kind and a sentence (Settings, About, `normface list`). */
  problems(): { kind: string; message: string }[];
  /** The desk's side of a fleet (electron/services/fleet): membership, outbox, what came in. */
  readonly fleet: FleetStore;
  close(): void;
}

export interface FleetStore {
  membership(): fleet.FleetMembership | null;
  join(input: { fleetId: string; deskId: string; config: JsonObject }): void;
  leave(): void;
  recordContact(at: number | null, error: string | null): void;
  waiting(): ReturnType<typeof fleet.waiting>;
  prepareOutbox(sealer: fleet.FleetSealer, limit?: number): number;
  outbox(limit?: number): fleet.OutboxRow[];
  sent(throughSeq: number, at: number): void;
  applyPeople(incoming: readonly fleet.IncomingPerson[], cursor: number | null, force?: boolean): string[];
  applyLockouts(incoming: readonly Lockout[], cursor: number): void;
}

/** Opens, checks (structure, schema version, key) and migrates; throws StoreError with lastBackup set. */
function openChecked(dir: string, file: string, key: Buffer, options: OpenStoreOptions): Db {
  let db: Db;
  try {
    db = openConnection(file, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  } catch (error) {
    throw withBackup(toStoreError(error, `open the database ${file}`), dir);
  }
  try {
    checkIntegrity(db, false, file);
    if (schemaVersion(db) >= 1) {
      checkKey(db, key, file);
      identities.openFirstTemplate({ db, key, file, now: Date.now });
    }
    return db;
  } catch (error) {
    db.close();
    throw withBackup(toStoreError(error, `open the database ${file}`), dir);
  }
}

function withBackup(error: StoreError, dir: string): StoreError {
  error.lastBackup ??= backups.lastAutoBackup(dir);
  return error;
}

/** Returns a problem to show (backups still in plain text), or null; throws when the database cannot be used. */
function migrateAndSeal(db: Db, key: Buffer, file: string, dir: string): StoreError | null {
  try {
    const applied = migrate(db, LATEST_VERSION, key);
    checkKey(db, key, file);
    if (applied.includes(SEALED_VERSION) && applied[0] !== 1) {
      // The plaintext rows were rewritten sealed; VACUUM rebuilds the file so no free page or old WAL
      // frame keeps a name, and the copies in backups/ are sealed the same way.
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
      const left = backups.sealOlderBackups(dir, key);
      if (left.length > 0) {
        return new StoreError('invalid', `The backups ${left.join(', ')} were made before names and the log were sealed, and this key does not open them: they still hold names in plain text. Delete them once you no longer need them.`);
      }
    }
    return null;
  } catch (error) {
    db.close();
    throw withBackup(toStoreError(error, `update the database ${file}`), dir);
  }
}

export function openStore(options: OpenStoreOptions): Store {
  const dir = resolve(options.dir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw toStoreError(error, `create the folder ${dir}`);
  }
  const key = readKey(options.keyring);
  const file = join(dir, backups.DATABASE_FILE);
  const changed = backups.changedSinceAutoBackup(dir, file);
  const db = openChecked(dir, file, key, options);
  let autoBackupProblem: StoreError | null = null;
  // Taken before migrating, so a migration gone wrong can be undone with the copy.
  if (options.autoBackup !== false && changed && schemaVersion(db) >= 1) {
    try {
      backups.writeBackupNow(db, key, backups.autoBackupPath(dir));
    } catch (error) {
      autoBackupProblem = toStoreError(error, 'make the automatic backup');
    }
  }
  autoBackupProblem = migrateAndSeal(db, key, file, dir) ?? autoBackupProblem;
  const ctx: StoreContext = { db, key, file, now: options.now ?? Date.now };
  return createStore(ctx, dir, options, autoBackupProblem, events.checkLog(ctx));
}

/** Restores `fromFile` into `dir` while no store is open there, e.g. after openStore threw 'corrupt'. */
export function restoreDatabase(options: { dir: string; keyring: Keyring }, fromFile: string): BackupInfo {
  const dir = resolve(options.dir);
  const { staged, info } = backups.prepareRestore(dir, readKey(options.keyring), fromFile);
  backups.swapIn(dir, staged);
  return info;
}

function createStore(ctx: StoreContext, dir: string, options: OpenStoreOptions, autoBackupProblem: StoreError | null, logAtOpen: LogCheck): Store {
  let logCheck = logAtOpen;
  const guard = <T>(action: string, work: () => T): T => {
    try {
      return work();
    } catch (error) {
      const storeError = toStoreError(error, action);
      throw storeError.code === 'corrupt' ? withBackup(storeError, dir) : storeError;
    }
  };
  let dataVersion: number | null = null;
  // Deleted rows are zeroed by secure_delete, but their previous page images stay in the WAL until it is
  // checkpointed and truncated.
  const truncateWal = (): void => {
    const [result] = ctx.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (result !== undefined && result.busy !== 0) {
      throw new StoreError('locked', 'The deletion is saved, but another reader kept its old copy in the journal; close other copies of the app.');
    }
  };

  return {
    dir,
    file: ctx.file,
    autoBackupProblem,
    createIdentity: (input) => guard('enrol the person', () => identities.createIdentity(ctx, input)),
    addTemplates: (id, templates) => guard('add the templates', () => identities.addTemplates(ctx, id, templates)),
    removeTemplate: (id) => guard('remove the template', () => {
      identities.removeTemplate(ctx, id);
      truncateWal();
    }),
    renameIdentity: (id, name) => guard('rename the person', () => identities.renameIdentity(ctx, id, name)),
    updateNotes: (id, notes) => guard('save the notes', () => identities.updateNotes(ctx, id, notes)),
    deleteIdentity: (id) => guard('delete the person', () => {
      identities.deleteIdentity(ctx, id);
      truncateWal();
    }),
    listIdentities: () => guard('list the people', () => identities.listIdentities(ctx)),
    getIdentity: (id) => guard('read the person', () => identities.getIdentity(ctx, id)),
    templateThumbnail: (id) => guard('read the thumbnail', () => identities.templateThumbnail(ctx, id)),
    allTemplates: (identityId) => ({
      *[Symbol.iterator]() {
        try {
          yield* identities.allTemplates(ctx, identityId);
        } catch (error) {
          const storeError = toStoreError(error, 'load the templates');
          throw storeError.code === 'corrupt' ? withBackup(storeError, dir) : storeError;
        }
      },
    }),
    logEvent: (event) => guard('log the event', () => events.logEvent(ctx, event)),
    listEvents: (query) => guard('read the history', () => events.listEvents(ctx, query)),
    eventLog: () => logCheck,
    exportIdentities: (ids) => guard('read the people to export', () => portable.exportIdentities(ctx, ids)),
    importIdentities: (people, actions) => guard('import the people', () => portable.importIdentities(ctx, people, actions)),
    getSetting: (key) => guard('read the setting', () => settings.getSetting(ctx, key)),
    setSetting: (key, value) => guard('save the setting', () => settings.setSetting(ctx, key, value)),
    getLockout: (id) => guard('read the lockout', () => settings.getLockout(ctx, id)),
    setLockout: (state) => guard('save the lockout', () => settings.setLockout(ctx, state)),
    createRun: (runSettings) => guard('start the training run', () => training.createRun(ctx, runSettings)),
    finishRun: (id, outcome) => guard('save the training result', () => training.finishRun(ctx, id, outcome)),
    listRuns: () => guard('list the training runs', () => training.listRuns(ctx)),
    activeAgents: () => guard('load the trained agents', () => training.activeAgents(ctx)),
    acceptRun: (id) => guard('accept the training run', () => training.acceptRun(ctx, id)),
    rollback: () => guard('roll back the training', () => training.rollback(ctx)),
    addToCohort: (modelId, vector, policy) => guard('keep the unrecognised face', () => cohort.addToCohort(ctx, modelId, vector, policy)),
    pruneCohort: (policy) => guard('age out the unrecognised faces', () => {
      const removed = cohort.pruneCohort(ctx, policy);
      if (removed > 0) truncateWal();
      return removed;
    }),
    cohortSize: () => guard('count the unrecognised faces', () => cohort.cohortSize(ctx)),
    cohortTemplates: () => ({
      *[Symbol.iterator]() {
        try {
          yield* cohort.cohortTemplates(ctx);
        } catch (error) {
          throw toStoreError(error, 'load the unrecognised faces');
        }
      },
    }),
    clearCohort: () => guard('delete the unrecognised faces', () => {
      const removed = cohort.clearCohort(ctx);
      truncateWal();
      return removed;
    }),

    backup: async (toFile) => {
      const info = await backups.writeBackup(ctx.db, ctx.key, toFile);
      guard('log the backup', () => events.logEvent(ctx, { kind: 'backup', details: { file: info.file, identities: info.identities, templates: info.templates } }));
      return info;
    },
    restoreFrom: (fromFile) => guard('restore the backup', () => {
      const { staged, info } = backups.prepareRestore(dir, ctx.key, fromFile);
      ctx.db.close();
      try {
        backups.swapIn(dir, staged);
      } finally {
        // Reopens whichever file is now live: the restored one, or the untouched one if the rename failed.
        ctx.db = openChecked(dir, ctx.file, ctx.key, options);
        migrateAndSeal(ctx.db, ctx.key, ctx.file, dir);
        logCheck = events.checkLog(ctx);
      }
      events.logEvent(ctx, { kind: 'restore', details: { file: info.file, identities: info.identities, templates: info.templates } });
      return info;
    }),
    lastBackup: () => backups.lastAutoBackup(dir),
    deleteAllData: () => guard('erase all data', () => {
      ctx.db.transaction(() => {
        for (const table of ['agents', 'templates', 'lockouts', 'identities', 'training_runs', 'settings', 'cohort']) {
          ctx.db.prepare(`DELETE FROM ${table}`).run();
        }
        events.clearLog(ctx);
      }).immediate();
      ctx.db.exec('VACUUM');
      truncateWal();
      backups.removeBackups(dir);
      events.logEvent(ctx, { kind: 'delete', details: { scope: 'all' } });
      logCheck = events.checkLog(ctx);
    }),
    changedElsewhere: () => guard('check for changes by other programs', () => {
      const version = ctx.db.pragma('data_version', { simple: true }) as number;
      const changed = dataVersion !== null && version !== dataVersion;
      dataVersion = version;
      return changed;
    }),
    problems: () => guard('list the database\'s problems', () => {
      const found: { kind: string; message: string }[] = [];
      if (autoBackupProblem) found.push({ kind: 'auto-backup-failed', message: autoBackupProblem.message });
      const setAside = fleet.waiting(ctx).setAside;
      if (setAside.length > 0) {
        found.push({ kind: 'fleet-rows-set-aside', message: `${setAside.length} change${setAside.length === 1 ? '' : 's'} from the fleet failed their checks and ${setAside.length === 1 ? 'was' : 'were'} set aside, never applied. The latest: ${setAside[0]!.reason}` });
      }
      return found;
    }),
    fleet: {
      membership: () => guard('read the fleet settings', () => fleet.membership(ctx)),
      join: (input) => guard('join the fleet', () => fleet.joinFleet(ctx, input)),
      leave: () => guard('leave the fleet', () => fleet.leaveFleet(ctx)),
      recordContact: (at, error) => guard('note the fleet contact', () => fleet.recordContact(ctx, at, error)),
      waiting: () => guard('count what waits for the fleet', () => fleet.waiting(ctx)),
      prepareOutbox: (sealer, limit) => guard('prepare changes for the fleet', () => fleet.prepareOutbox(ctx, sealer, limit)),
      outbox: (limit) => guard('read the fleet outbox', () => fleet.outbox(ctx, limit)),
      sent: (through, at) => guard('note what the fleet received', () => fleet.sent(ctx, through, at)),
      applyPeople: (incoming, cursor, force) => guard('apply changes from the fleet', () => fleet.applyPeople(ctx, incoming, cursor, force)),
      applyLockouts: (incoming, cursor) => guard('apply lockouts from the fleet', () => fleet.applyLockouts(ctx, incoming, cursor)),
    },
    close: () => {
      if (ctx.db.open) ctx.db.close();
    },
  };
}
