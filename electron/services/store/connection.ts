// Opening one SQLite file the way the store needs it, and proving it is sound before anyone reads it.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { StoreError, toStoreError } from './errors';
import { place, seal, unseal } from './seal';

const KEY_CHECK_TEXT = 'normface key check v1';
export const BUSY_TIMEOUT_MS = 5000;

export interface ConnectionOptions {
  /** Caps the database size (a disk quota); writes beyond it fail with 'disk_full'. */
  maxBytes?: number;
  /** Fails when the file is not there rather than creating an empty database. */
  mustExist?: boolean;
  /** How long a write waits for another writer (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
}

/** Opens `file` with WAL, foreign keys, secure_delete and a busy timeout; throws StoreError. */
export function openConnection(file: string, options: ConnectionOptions = {}): Db {
  let db: Db | null = null;
  try {
    db = new Database(file, { fileMustExist: options.mustExist === true });
    // First: the pragmas below may wait on another writer too.
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // FULL: an enrolment reported done survives a power cut, not only a crash. Enrolments are rare.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Deleted templates are overwritten with zeros rather than left in free pages.
    db.pragma('secure_delete = ON');
    if (options.maxBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxBytes / pageSize))}`);
    }
    return db;
  } catch (error) {
    db?.close();
    throw toStoreError(error, `open the database ${file}`);
  }
}

/**
 * quick_check (structure of every page) or the full integrity_check (also indexes against tables).
 * `except`: tables left out (quick_check of each other table and its indexes): the event log grows by
 * the day, and checking its pages at every open cost 0.9 s at 200,000 events; its rows are read
 * when they are used, and the whole file is checked in the app's background.
 */
export function checkIntegrity(db: Db, thorough: boolean, file: string, except: readonly string[] = []): void {
  let rows: unknown[];
  try {
    if (except.length === 0) {
      rows = db.pragma(thorough ? 'integrity_check' : 'quick_check', { simple: false }) as unknown[];
    } else {
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
      rows = tables.filter((t) => !except.includes(t)).flatMap((t) => db.pragma(`${thorough ? 'integrity_check' : 'quick_check'}("${t.replaceAll('"', '""')}")`, { simple: false }) as unknown[]);
    }
  } catch (error) {
    throw toStoreError(error, `check the database ${file}`);
  }
  const problems = rows.map((row) => Object.values(row as Record<string, unknown>)[0]).filter((v) => v !== 'ok');
  if (problems.length > 0) {
    throw new StoreError('corrupt', `The database file ${file} is damaged (${String(problems[0])}). Restore it from a backup.`);
  }
}

/** Seals a known text on first use; afterwards opening it proves `key` is the database's key. */
export function checkKey(db: Db, key: Buffer, file: string): void {
  const row = db.prepare('SELECT sealed FROM key_check WHERE id = 1').get() as { sealed: Buffer } | undefined;
  if (row === undefined) {
    db.prepare('INSERT INTO key_check (id, sealed) VALUES (1, ?)').run(seal(key, place.keyCheck, Buffer.from(KEY_CHECK_TEXT)));
    return;
  }
  const plain = unseal(key, place.keyCheck, row.sealed);
  if (plain === null || plain.toString('utf8') !== KEY_CHECK_TEXT) {
    throw new StoreError('wrong_key', `The key does not open ${file}: it was sealed with another key. Use the key (or user account) it was created with, or restore a backup made with this one.`);
  }
}

/**
 * Checkpoints and truncates the WAL without waiting: while another connection reads, a TRUNCATE
 * checkpoint would wait the whole busy timeout on this (the event loop's) thread. Returns false
 * when a reader kept it from finishing; the caller tries again later.
 */
export function truncateWalNow(db: Db): boolean {
  db.pragma('busy_timeout = 0');
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result === undefined || result.busy === 0;
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('SQLITE_BUSY')) return false;
    throw error;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
