// openStore: the one door to the database. Every method maps failures to StoreError, and every
// change of several rows is one transaction (see the table modules).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import * as backups from './backup';
import * as cohort from './cohort';
import { checkIntegrity, checkKey, openConnection, truncateWalNow } from './connection';
import type { StoreContext } from './context';
import type { StoreError} from './errors';
import { toStoreError } from './errors';
import * as events from './events';
import * as fleet from './fleet';
import * as identities from './identities';
import { readKey } from './keyring';
import type { Keyring } from './keyring';
import { LATEST_VERSION, migrate, schemaVersion, SEAL_CLEANUP_PENDING } from './migrations/index';
import * as operators from './operators';
import * as portable from './portable';
import { quarantineBadRows, quarantineProblems, type CurrentModel } from './quarantine';
import * as settings from './settings';
import * as training from './training';
import type {
  ActiveAgents, BackupInfo, CohortPolicy, CohortTemplate, EventQuery, FinishedRun, Identity, IdentityDetail, IdentitySummaryRow, Json, JsonObject,
  ImportAction, ImportOutcome, Lockout, LogCheck, NewEvent, NewTemplate, PortableIdentity, StoreEvent, StoredTemplate, StoreProblem, TemplateRecord,
  StoredOperator, TrainingOutcome, TrainingRunRow,
} from './types';

const WAL_RETRY_MS = 1000;
/** How far ahead of the clock a log entry may be stamped before it is reported (clocks are adjusted by seconds). */
const CLOCK_TOLERANCE_MS = 60_000;

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
  /** The embedder the app compares with: its templates must have the contract's dimension, or they are set aside at open. */
  currentModel?: CurrentModel;
}

export interface Store {
  readonly dir: string;
  readonly file: string;
  /** Why the automatic backup at open failed (the store works regardless), or null. Also in problems(). */
  readonly autoBackupProblem: StoreError | null;
  /** Everything the person must know about the database now (each with a sentence); empty when all is well. */
  problems(): StoreProblem[];

  createIdentity(input: { name: string; notes?: string; templates: readonly NewTemplate[] }): IdentityDetail;
  addTemplates(identityId: string, templates: readonly NewTemplate[]): TemplateRecord[];
  /** Refuses to remove an identity's last template (delete the identity instead). */
  removeTemplate(templateId: string): void;
  renameIdentity(identityId: string, name: string): Identity;
  updateNotes(identityId: string, notes: string): Identity;
  /** Erases the identity, its templates, thumbnails and agents for good (a lockout in force is kept, nameless), and logs a 'delete' event. */
  deleteIdentity(identityId: string): void;
  listIdentities(): IdentitySummaryRow[];
  getIdentity(identityId: string): IdentityDetail;
  templateThumbnail(templateId: string): Uint8Array | null;
  /** Every template (or one identity's), opened; consume it fully before the next write (SQLite keeps the read open meanwhile). */
  allTemplates(identityId?: string): Iterable<StoredTemplate>;

  logEvent(event: NewEvent): StoreEvent;
  listEvents(query?: EventQuery): StoreEvent[];
  /** The event log's MAC chain as last checked (at open: the entries since the sealed checkpoint); a break never stops the store. */
  eventLog(): LogCheck;
  /**
   * What an open skips: the structure of every page of the file (throws StoreError 'corrupt'), then every
   * entry of the log from the first; the log's result is eventLog() from then on.
   */
  checkEventLog(): LogCheck;
  /** The same in steps, pausing between them (the app's background check); resolves with eventLog()'s new value. */
  checkEventLogInSteps(pause: () => Promise<void>, step?: number): Promise<LogCheck>;

  /** The chosen identities (all when absent), opened, for a passphrase-sealed bundle. */
  exportIdentities(identityIds?: readonly string[]): PortableIdentity[];
  /** Adds, merges or skips each identity (by its bundle id; absent: add) in one transaction, sealed under this key. */
  importIdentities(people: readonly PortableIdentity[], actions: ReadonlyMap<string, ImportAction>): ImportOutcome;
  /** The person here that a bundle's id stands for (exported from here, or imported from it), or null. */
  identityFromBundleId(bundleId: string): string | null;

  getSetting(key: string): Json | undefined;
  setSetting(key: string, value: Json): void;
  getLockout(identityId: string): Lockout;
  /** failures 0 and lockedUntil null clears the row. */
  setLockout(state: Lockout): void;

  listOperators(): StoredOperator[];
  /** `onlyIfNone`: refused once any operator exists (the first start's operator). Names are unique, ignoring case. */
  addOperator(input: { name: string; passphraseHash: string; faceIdentityId: string | null }, onlyIfNone: boolean): StoredOperator;
  /** Refuses to remove the last operator. */
  removeOperator(operatorId: string): void;
  setOperatorLockout(operatorId: string, failures: number, lockedUntil: number | null): void;

  createRun(settings: JsonObject): TrainingRunRow;
  finishRun(runId: string, outcome: TrainingOutcome): FinishedRun;
  listRuns(): TrainingRunRow[];
  activeAgents(): ActiveAgents | null;
  acceptRun(runId: string): TrainingRunRow;
  rollback(): TrainingRunRow | null;

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
  /**
   * Validates `file` and copies it into the live database through SQLite (one write transaction that
   * other connections wait for), then migrates it. Lockouts in force are kept, and the restore's log
   * entry names the entries it discarded. Reload the matcher after.
   */
  restoreFrom(file: string): Promise<BackupInfo>;
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
    checkIntegrity(db, false, file, ['events']);
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
function migrateAndSeal(db: Db, key: Buffer, file: string, dir: string): StoreProblem | null {
  try {
    migrate(db, LATEST_VERSION, key);
    checkKey(db, key, file);
    return finishSealing(db, key, dir);
  } catch (error) {
    db.close();
    throw withBackup(toStoreError(error, `update the database ${file}`), dir);
  }
}

/**
 * What sealing leaves for after its transaction, done at every start until done (a kill at any step
 * only postpones it): VACUUM rebuilds the file so no free page or old WAL frame keeps a name, the
 * WAL is emptied, and the copies in backups/ are sealed the same way, stray half-made copies removed.
 */
function finishSealing(db: Db, key: Buffer, dir: string): StoreProblem | null {
  const pending = db.prepare('SELECT 1 FROM settings WHERE key = ?').pluck().get(SEAL_CLEANUP_PENDING) !== undefined;
  let walEmptied = true;
  if (pending) {
    db.exec('VACUUM');
    walEmptied = truncateWalNow(db);
  }
  backups.removeStraySealing(dir, pending);
  const left = backups.sealOlderBackups(dir, key);
  if (pending && walEmptied) {
    db.prepare('DELETE FROM settings WHERE key = ?').run(SEAL_CLEANUP_PENDING);
    // The row's own delete is in the WAL now; empty it again so the file is all there is.
    truncateWalNow(db);
  }
  if (left.length > 0) {
    return { kind: 'plaintext-backups', message: `The backups ${left.join(', ')} were made before names and the log were sealed, and this key does not open them: they still hold names in plain text. Delete them once you no longer need them.` };
  }
  return null;
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
  backups.removeStrayRestores(dir);
  const db = openChecked(dir, file, key, options);
  let autoBackupProblem: StoreError | null = null;
  // Taken before migrating, so a migration gone wrong can be undone with the copy.
  const due = options.autoBackup !== false && schemaVersion(db) >= 1 && backups.autoBackupDue(db, dir);
  if (due) {
    try {
      backups.writeBackupNow(db, key, backups.autoBackupPath(dir));
    } catch (error) {
      autoBackupProblem = toStoreError(error, 'make the automatic backup');
    }
  }
  const problems: StoreProblem[] = [];
  const sealing = migrateAndSeal(db, key, file, dir);
  if (sealing !== null) problems.push(sealing);
  const ctx: StoreContext = { db, key, file, now: options.now ?? Date.now };
  if (due) {
    try {
      recordAutoBackup(ctx, autoBackupProblem);
    } catch (error) {
      // Not recorded: said by this process at least, and the next start tries again.
      autoBackupProblem ??= toStoreError(error, 'record the automatic backup');
      problems.push(autoBackupFailed(autoBackupProblem.message));
    }
  }
  setAsideBadRows(ctx, dir, options);
  let logCheck: LogCheck;
  try {
    logCheck = events.checkLog(ctx);
  } catch (error) {
    db.close();
    throw withBackup(toStoreError(error, `check the event log of ${file}`), dir);
  }
  return createStore(ctx, dir, options, autoBackupProblem, problems, logCheck);
}

function autoBackupFailed(message: string): StoreProblem {
  return { kind: 'auto-backup-failed', message: `The automatic backup at start failed, so backups/auto-backup.db is older than your data: ${message}` };
}

/**
 * A failure is kept in the database until a backup succeeds, so every process on it (the app, the
 * command) reports it, at every start; a success records what the copy holds.
 */
function recordAutoBackup(ctx: StoreContext, failure: StoreError | null): void {
  if (failure !== null) {
    settings.setSetting(ctx, backups.AUTO_BACKUP_FAILED, { at: ctx.now(), message: failure.message });
    return;
  }
  ctx.db.transaction(() => {
    ctx.db.prepare('DELETE FROM settings WHERE key = ?').run(backups.AUTO_BACKUP_FAILED);
    settings.setSetting(ctx, backups.AUTO_BACKUP_OF, backups.dataFingerprint(ctx.db));
  }).immediate();
}

/** Quarantines the rows that would not load (a bad row never stops the app); throws only when the database cannot be written. */
function setAsideBadRows(ctx: StoreContext, dir: string, options: OpenStoreOptions): void {
  try {
    quarantineBadRows(ctx, options.currentModel);
  } catch (error) {
    ctx.db.close();
    throw withBackup(toStoreError(error, `check the rows of ${ctx.file}`), dir);
  }
}

/** Restores `fromFile` into `dir` while no store is open there, e.g. after openStore threw 'corrupt'. */
export function restoreDatabase(options: { dir: string; keyring: Keyring; currentModel?: CurrentModel }, fromFile: string): BackupInfo {
  const dir = resolve(options.dir);
  const { staged, info } = backups.prepareRestore(dir, readKey(options.keyring), fromFile, options.currentModel);
  backups.swapIn(dir, staged);
  return info;
}

function createStore(ctx: StoreContext, dir: string, options: OpenStoreOptions, autoBackupProblem: StoreError | null, startProblems: readonly StoreProblem[], logAtOpen: LogCheck): Store {
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
  // checkpointed and truncated. The deletion itself is committed before this: a reader elsewhere only
  // delays the truncation, which is retried every second (and at close) and reported meanwhile.
  let walRetry: ReturnType<typeof setInterval> | undefined;
  const retryTruncation = (): void => {
    try {
      if (!ctx.db.open || truncateWalNow(ctx.db)) {
        clearInterval(walRetry);
        walRetry = undefined;
      }
    } catch {
      // Reported by problems() while pending; the next attempt may succeed.
    }
  };
  const truncateWal = (): void => {
    if (truncateWalNow(ctx.db) || walRetry !== undefined) return;
    walRetry = setInterval(retryTruncation, WAL_RETRY_MS);
    walRetry.unref?.();
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
    eventLog: () => {
      const restored = guard('read the log', () => events.lastRestore(ctx));
      return restored === null ? logCheck : { ...logCheck, restored };
    },
    checkEventLog: () => guard('check the event log', () => {
      checkIntegrity(ctx.db, false, ctx.file);
      return (logCheck = events.checkLog(ctx, 'full'));
    }),
    checkEventLogInSteps: async (pause, step) => {
      guard('check the database', () => checkIntegrity(ctx.db, false, ctx.file));
      try {
        return (logCheck = await events.checkLogInSteps(ctx, pause, step));
      } catch (error) {
        // Closed meanwhile (the app quit, a restore): not a failure of the log; the next start checks again.
        if (!ctx.db.open) return logCheck;
        throw toStoreError(error, 'check the event log');
      }
    },
    exportIdentities: (ids) => guard('read the people to export', () => portable.exportIdentities(ctx, ids)),
    importIdentities: (people, actions) => guard('import the people', () => portable.importIdentities(ctx, people, actions)),
    identityFromBundleId: (bundleId) => guard('look up the people of the bundle', () => portable.identityFromBundleId(ctx, bundleId)),
    getSetting: (key) => guard('read the setting', () => settings.getSetting(ctx, key)),
    setSetting: (key, value) => guard('save the setting', () => settings.setSetting(ctx, key, value)),
    getLockout: (id) => guard('read the lockout', () => settings.getLockout(ctx, id)),
    setLockout: (state) => guard('save the lockout', () => settings.setLockout(ctx, state)),
    listOperators: () => guard('read the operators', () => operators.listOperators(ctx)),
    addOperator: (input, onlyIfNone) => guard('add the operator', () => operators.addOperator(ctx, input, onlyIfNone)),
    removeOperator: (id) => guard('remove the operator', () => operators.removeOperator(ctx, id)),
    setOperatorLockout: (id, failures, lockedUntil) => guard('save the operator\'s lockout', () => operators.setOperatorLockout(ctx, id, failures, lockedUntil)),
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
    restoreFrom: async (fromFile) => {
      const { staged, info } = guard('restore the backup', () => backups.prepareRestore(dir, ctx.key, fromFile, options.currentModel));
      let kept: Lockout[];
      let discarded: ReturnType<typeof events.entriesAfter>;
      try {
        ({ kept, discarded } = guard('read what the restore replaces', () => {
          const restoredLast = backups.lastEventId(staged);
          return { kept: settings.allLockouts(ctx), discarded: events.entriesAfter(ctx, restoredLast) };
        }));
        try {
          await backups.copyInto(staged, ctx.file);
        } catch (error) {
          throw toStoreError(error, `restore from ${info.file}`);
        }
      } finally {
        backups.removeWithSidecars(staged);
      }
      guard('finish the restore', () => {
        migrateAndSeal(ctx.db, ctx.key, ctx.file, dir);
        setAsideBadRows(ctx, dir, options);
        ctx.db.transaction(() => {
          // A lock in force stays in force: restoring an older copy is no way round it.
          settings.keepLockouts(ctx, kept);
          events.logEvent(ctx, { kind: 'restore', details: { file: info.file, identities: info.identities, templates: info.templates, discarded } });
        }).immediate();
        logCheck = events.checkLog(ctx);
      });
      return info;
    },
    lastBackup: () => backups.lastAutoBackup(dir),
    deleteAllData: () => guard('erase all data', () => {
      ctx.db.transaction(() => {
        for (const table of ['agents', 'templates', 'lockouts', 'held_lockouts', 'quarantine', 'identities', 'training_runs', 'settings', 'cohort']) {
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
    problems: () => {
      const found: StoreProblem[] = [...startProblems];
      const failed = guard('read the backup record', () => settings.getSetting(ctx, backups.AUTO_BACKUP_FAILED)) as { message?: unknown } | undefined;
      if (failed !== undefined && !found.some((p) => p.kind === 'auto-backup-failed')) found.push(autoBackupFailed(String(failed.message)));
      const ahead = guard('read the log', () => events.entriesAhead(ctx, ctx.now() + CLOCK_TOLERANCE_MS));
      if (ahead !== null) {
        const minutes = Math.ceil((ahead.latest - ctx.now()) / 60_000);
        found.push({ kind: 'clock-behind-log', message: `${ahead.count} entr${ahead.count === 1 ? 'y' : 'ies'} of the log (check-ins among them) are stamped up to ${minutes} min later than this computer's clock says it is now: the clock was moved back. Those check-ins are marked; check the clock's time and time zone.` });
      }
      found.push(...guard('read what was set aside', () => quarantineProblems(ctx)));
      const setAside = guard('count what waits for the fleet', () => fleet.waiting(ctx).setAside);
      if (setAside.length > 0) {
        found.push({ kind: 'fleet-rows-set-aside', message: `${setAside.length} change${setAside.length === 1 ? '' : 's'} from the fleet failed their checks and ${setAside.length === 1 ? 'was' : 'were'} set aside, never applied. The latest: ${setAside[0]!.reason}` });
      }
      if (walRetry !== undefined) {
        found.push({ kind: 'journal-not-emptied', message: 'A deletion is saved, but another program reading the database (a second copy of the app, or the normface command) keeps the deleted data in the journal file until it lets go; it is emptied as soon as it does.' });
      }
      return found;
    },
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
      clearInterval(walRetry);
      walRetry = undefined;
      if (ctx.db.open) ctx.db.close();
    },
  };
}
