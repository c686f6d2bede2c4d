// Backups are single SQLite files made with SQLite's online backup API: still sealed, so a backup is
// no more readable than the live database. Every file is written beside its target, fsynced and
// renamed into place, so a crash mid-way leaves the previous file whole.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { checkIntegrity, checkKey } from './connection';
import { StoreError, toStoreError } from './errors';
import { counts, openEverySeal } from './identities';
import { LATEST_VERSION, migrate, schemaVersion, SEALED_VERSION } from './migrations/index';
import { firstRefusedRecord, type CurrentModel } from './quarantine';
import type { BackupInfo } from './types';

export const DATABASE_FILE = 'normface.db';
const BACKUP_DIR = 'backups';
const AUTO_BACKUP_FILE = 'auto-backup.db';

export function autoBackupPath(dir: string): string {
  return join(dir, BACKUP_DIR, AUTO_BACKUP_FILE);
}

/** The automatic backup to offer when the database cannot be opened, or null if there is none. */
export function lastAutoBackup(dir: string): string | null {
  const path = autoBackupPath(dir);
  return existsSync(path) ? path : null;
}

/** Settings the store keeps about itself (never the person's settings, and not part of the fingerprint). */
export const AUTO_BACKUP_OF = 'store.autoBackupOf';
export const AUTO_BACKUP_FAILED = 'store.autoBackupFailed';

/**
 * What the data are, in one hash: per table its row count and highest rowid (every change to people
 * logs an event, so the log's newest id moves with them), and the settings. Decides whether the
 * automatic backup is due from the data themselves: file times lie when the clock was moved.
 */
export function dataFingerprint(db: Db): string {
  const hash = createHash('sha256');
  hash.update(String(schemaVersion(db)));
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  for (const table of tables) {
    const row = db.prepare(`SELECT count(*) AS n, coalesce(max(rowid), 0) AS top FROM "${table.replaceAll('"', '""')}"`).get() as { n: number; top: number };
    hash.update(`|${table}:${row.n}:${row.top}`);
  }
  // Not the store's own bookkeeping, nor the log check's checkpoint and break record, which each open may move.
  for (const s of db.prepare("SELECT key, value FROM settings WHERE key NOT LIKE 'store.%' AND key NOT LIKE 'privacy.eventLog%' ORDER BY key").all() as { key: string; value: string }[]) {
    hash.update(`|${s.key}=${s.value}`);
  }
  return hash.digest('hex');
}

/** Due when there is no automatic backup yet, or the data changed since the one there (as recorded). */
export function autoBackupDue(db: Db, dir: string): boolean {
  if (!existsSync(autoBackupPath(dir))) return true;
  const recorded = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(AUTO_BACKUP_OF) as string | undefined;
  return recorded === undefined || JSON.parse(recorded) !== dataFingerprint(db);
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename durable. Windows cannot open a folder for fsync, and its rename is already journaled. */
function fsyncFolder(path: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function removeWithSidecars(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** Proves `path` is a sound NormFace database whose every template this key opens; returns what it holds. */
function validateCandidate(path: string, key: Buffer, shownAs: string): BackupInfo {
  let db: Db | null = null;
  try {
    db = new Database(path);
    checkIntegrity(db, true, shownAs);
    const version = schemaVersion(db);
    if (version > LATEST_VERSION) {
      throw new StoreError('newer_version', `${shownAs} was written by a newer version of NormFace (schema ${version}); update the app to restore it.`);
    }
    if (version < 1) throw new StoreError('invalid', `${shownAs} is not a NormFace database.`);
    const hasKeyCheck = db.prepare('SELECT count(*) FROM key_check').pluck().get() as number;
    if (hasKeyCheck === 0) throw new StoreError('invalid', `${shownAs} is not a complete NormFace database (it has no key check).`);
    const ctx = { db, key, file: shownAs, now: Date.now };
    checkKey(db, key, shownAs);
    openEverySeal(ctx, version >= SEALED_VERSION);
    return { file: shownAs, bytes: statSync(path).size, ...counts(ctx) };
  } catch (error) {
    throw toStoreError(error, `read the backup ${shownAs}`);
  } finally {
    db?.close();
  }
}

function partialBeside(db: Db, toFile: string): { target: string; partial: string } {
  const target = resolve(toFile);
  if (resolve(db.name) === target) throw new StoreError('invalid', 'A backup cannot overwrite the live database; choose another file.');
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const partial = join(dirname(target), `.${basename(target)}.partial`);
  removeWithSidecars(partial);
  return { target, partial };
}

function placeBackup(partial: string, target: string, key: Buffer): BackupInfo {
  fsyncPath(partial);
  const info = validateCandidate(partial, key, target);
  fsyncPath(partial);
  renameSync(partial, target);
  fsyncFolder(dirname(target));
  return { ...info, file: target };
}

/** Copies the live database into `toFile` with SQLite's online backup API, checks the copy, renames it in. */
export async function writeBackup(db: Db, key: Buffer, toFile: string): Promise<BackupInfo> {
  const { target, partial } = partialBeside(db, toFile);
  try {
    await db.backup(partial);
    return placeBackup(partial, target, key);
  } catch (error) {
    removeWithSidecars(partial);
    throw toStoreError(error, `write the backup ${target}`);
  }
}

/**
 * The same, synchronously, with VACUUM INTO (a consistent, compacted copy), so openStore can stay
 * synchronous for its callers.
 */
export function writeBackupNow(db: Db, key: Buffer, toFile: string): BackupInfo {
  const { target, partial } = partialBeside(db, toFile);
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    return placeBackup(partial, target, key);
  } catch (error) {
    removeWithSidecars(partial);
    throw toStoreError(error, `write the backup ${target}`);
  }
}

/**
 * Copies `fromFile` beside the live database and validates it (integrity_check, schema version, key).
 * The live database is untouched; `swapIn` then replaces it.
 */
export function prepareRestore(dir: string, key: Buffer, fromFile: string, currentModel?: CurrentModel): { staged: string; info: BackupInfo } {
  const source = resolve(fromFile);
  const live = join(dir, DATABASE_FILE);
  if (source === live) throw new StoreError('invalid', 'That is the live database itself; choose a backup file.');
  if (!existsSync(source)) throw new StoreError('not_found', `The backup ${source} does not exist.`);
  // Named by process, so a start-up elsewhere can tell a restore in progress from one a crash left behind.
  const staged = join(dir, `${DATABASE_FILE}.restoring-${process.pid}`);
  removeWithSidecars(staged);
  try {
    copyFileSync(source, staged);
    const info = validateCandidate(staged, key, source);
    refuseBadRecords(staged, key, source, currentModel);
    fsyncPath(staged);
    return { staged, info };
  } catch (error) {
    removeWithSidecars(staged);
    throw toStoreError(error, `restore from ${source}`);
  }
}

/** The newest event id in a (closed) database file: the restore names the live entries after it as discarded. */
export function lastEventId(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT coalesce(max(id), 0) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A backup is data from outside like a bundle: a record the contract would refuse stops the restore, naming it. */
function refuseBadRecords(path: string, key: Buffer, shownAs: string, currentModel: CurrentModel | undefined): void {
  const db = new Database(path, { readonly: true });
  try {
    const refused = firstRefusedRecord(db, key, currentModel, schemaVersion(db) >= SEALED_VERSION);
    if (refused) throw new StoreError('invalid', `The backup ${shownAs} holds a record this app would refuse, ${refused}. Nothing was restored; choose another backup.`);
  } finally {
    db.close();
  }
}

/**
 * Writes the staged file's pages into the live database through SQLite's backup API, in one step, so
 * the copy is one write transaction on the live file: every other connection (the `normface` command
 * enrolling meanwhile) waits for it and then reads and writes the restored data, never a file that a
 * rename took away.
 */
export async function copyInto(staged: string, live: string): Promise<void> {
  const source = new Database(staged, { readonly: true });
  try {
    await source.backup(live, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
}

/** Removes what a restore killed half-way left behind (its staged copy), unless its process still runs. */
export function removeStrayRestores(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^normface\.db\.restoring(?:-(\d+))?$/.exec(name);
    if (match === null) continue;
    const pid = match[1] === undefined ? null : Number(match[1]);
    if (pid !== null && pid !== process.pid && processRuns(pid)) continue;
    removeWithSidecars(join(dir, name));
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Replaces the (closed) live database with the staged file in one rename. */
export function swapIn(dir: string, staged: string): void {
  const live = join(dir, DATABASE_FILE);
  // A stale WAL would be replayed onto the restored file: it belongs to the database being replaced.
  rmSync(`${live}-wal`, { force: true });
  rmSync(`${live}-shm`, { force: true });
  renameSync(staged, live);
  fsyncFolder(dir);
}

export function removeBackups(dir: string): void {
  rmSync(join(dir, BACKUP_DIR), { recursive: true, force: true });
}

function headerVersion(path: string): number | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const header = Buffer.alloc(64);
      if (readSync(fd, header, 0, 64, 0) < 64 || !header.subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'))) return null;
      return header.readUInt32BE(60);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/**
 * Removes the half-made copies a kill left in backups/ (`.NAME.sealing`, and while sealing is pending
 * `.NAME.partial` too, which was copied from the plaintext database): they may hold names in plain text.
 */
export function removeStraySealing(dir: string, withPartials: boolean): void {
  const folder = join(dir, BACKUP_DIR);
  if (!existsSync(folder)) return;
  const stray = withPartials ? /^\..+\.(?:sealing|partial)(?:-wal|-shm|-journal)?$/ : /^\..+\.sealing(?:-wal|-shm|-journal)?$/;
  for (const name of readdirSync(folder)) {
    if (stray.test(name)) rmSync(join(folder, name), { force: true });
  }
}

/**
 * After the live database was sealed (migration 0004), the backups made before it still hold names and
 * the log in plain text: each is migrated the same way in a copy beside it, VACUUMed, checked and renamed
 * over the original (its time kept, since the list sorts by it). Returns the names of those this key
 * does not open, left as they were.
 */
export function sealOlderBackups(dir: string, key: Buffer): string[] {
  const folder = join(dir, BACKUP_DIR);
  const left: string[] = [];
  if (!existsSync(folder)) return left;
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.db') || name.startsWith('.')) continue;
    const path = join(folder, name);
    // user_version from the header (offset 60), without opening: even a read-only open of a WAL-mode
    // file leaves -wal and -shm beside it, which would then sit beside the renamed copy.
    const version = headerVersion(path);
    if (version === null || version < 1 || version >= SEALED_VERSION) continue;
    const staged = join(folder, `.${name}.sealing`);
    removeWithSidecars(staged);
    try {
      copyFileSync(path, staged);
      const db = new Database(staged);
      try {
        db.pragma('journal_mode = DELETE');
        db.pragma('secure_delete = ON');
        checkKey(db, key, path);
        migrate(db, LATEST_VERSION, key);
        db.exec('VACUUM');
      } finally {
        db.close();
      }
      validateCandidate(staged, key, path);
      const { atime, mtime } = statSync(path);
      utimesSync(staged, atime, mtime);
      fsyncPath(staged);
      renameSync(staged, path);
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
      fsyncFolder(folder);
    } catch {
      // Not ours to open (another key) or unreadable: the original stays untouched, and is named.
      removeWithSidecars(staged);
      left.push(name);
    }
  }
  return left;
}
