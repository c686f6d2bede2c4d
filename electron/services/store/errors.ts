// Every failure the store reports is a StoreError: a code the UI can branch on and a sentence a
// person can act on. Raw SQLite errors never leave this module.

export type StoreErrorCode =
  | 'not_found'
  | 'invalid'
  | 'corrupt'
  | 'disk_full'
  | 'locked'
  | 'wrong_key'
  | 'newer_version'
  | 'io'
  | 'closed';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** Set on 'corrupt' (and other open failures): the newest automatic backup, or null if none exists. */
  lastBackup: string | null;

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown; lastBackup?: string | null } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.lastBackup = options.lastBackup ?? null;
  }
}

/** better-sqlite3 throws SqliteError with an extended result code in `code`, e.g. 'SQLITE_CORRUPT_INDEX'. */
function sqliteCode(error: unknown): string | null {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('SQLITE_')) {
    return error.code;
  }
  return null;
}

/** Translates any error thrown while doing `action` into a StoreError; StoreErrors pass through. */
export function toStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === null) {
    if (error instanceof TypeError && /not open/i.test(detail)) {
      return new StoreError('closed', `Could not ${action}: the database is closed. Restart the app.`, { cause: error });
    }
    return new StoreError('io', `Could not ${action}: ${detail}`, { cause: error });
  }
  if (code === 'SQLITE_FULL') {
    return new StoreError('disk_full', `Could not ${action}: the disk is full. Nothing was changed; free some space and try again.`, { cause: error });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('corrupt', `Could not ${action}: the database file is damaged (${detail}). Restore it from a backup.`, { cause: error });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('locked', `Could not ${action}: the database is in use by another copy of the app. Close it and try again.`, { cause: error });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new StoreError('not_found', `Could not ${action}: it refers to an identity or training run that no longer exists.`, { cause: error });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new StoreError('invalid', `Could not ${action}: the data were rejected (${detail}).`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    return new StoreError('io', `Could not ${action}: the database file cannot be written (${detail}). Check the folder's permissions.`, { cause: error });
  }
  return new StoreError('io', `Could not ${action}: ${detail}`, { cause: error });
}
