// The key that seals templates at rest. The store only asks a Keyring for 32 bytes; where they live is
// the host's business: Electron keeps them under safeStorage (electron/main), the browser host in a
// 0600 file beside the database (fileKeyring below).
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fchmodSync, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from './errors';

export const KEY_BYTES = 32;

export interface Keyring {
  /** The AES-256 key: exactly 32 bytes, the same on every call and every launch. */
  getKey(): Buffer;
  /** How the key is protected, said plainly for Settings and About (call after getKey). */
  custody?(): KeyCustody;
  /** Something wrong with where the key is kept now (its file removed under the running app), or null. */
  problem?(): { kind: string; message: string } | null;
}

/** What a folder holds that only its key opens (the database, its journal, backups): a key is made only where this is empty. */
export function sealedDataIn(dir: string): string[] {
  const found = ['normface.db', 'normface.db-wal'].filter((name) => existsSync(join(dir, name)));
  try {
    if (readdirSync(join(dir, 'backups')).some((name) => name.endsWith('.db'))) found.push('backups');
  } catch {
    // No backups folder: nothing there.
  }
  return found;
}

/** See core/contract/api.ts KeyCustody: the same shape, kept here so the store needs no contract. */
export interface KeyCustody {
  protection: 'os-keystore' | 'weak' | 'key-file';
  backend: string;
  summary: string;
}

export const KEY_FILE_CUSTODY: KeyCustody = {
  protection: 'key-file',
  backend: 'file',
  summary: 'The database key is a file readable only by your user account (mode 0600), beside the database: anyone who can read your files, or who copies the whole data folder, can open the data. Keep the folder on an encrypted disk.',
};

/**
 * A key kept in a file readable only by its owner (mode 0600), beside the data it opens. Created with a
 * fresh random key only while that folder holds no data; never overwritten, since losing it makes every
 * template unreadable: a missing key beside existing data is reported, never replaced.
 */
export function fileKeyring(path: string): Keyring {
  let held = false;
  return {
    custody: () => KEY_FILE_CUSTODY,
    problem: () => held && !existsSync(path)
      ? { kind: 'key-file-missing', message: `The key file ${path} was removed while the app was running. The app still holds the key, so the data stay readable until it closes; after that nothing in ${dirname(path)} can be opened. Put the key file back from where you saved it before closing the app.` }
      : null,
    getKey(): Buffer {
      let fd: number | null = null;
      const data = existsSync(path) ? [] : sealedDataIn(dirname(path));
      if (data.length > 0) {
        throw missingKey(path, data);
      }
      try {
        fd = openSync(path, 'wx', 0o600);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) {
          throw new StoreError('io', `Could not create the key file ${path}: ${(error as Error).message}`, { cause: error });
        }
      }
      if (fd !== null) {
        try {
          writeSync(fd, randomBytes(KEY_BYTES));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      // Never through a link: a link planted as the key would make its owner chmod, and use, its target.
      if (lstatSync(path).isSymbolicLink()) {
        throw new StoreError('wrong_key', `The key file ${path} is a symbolic link; the key must be a plain file in the data folder. Replace the link with the key file itself.`);
      }
      let key: Buffer;
      const reading = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        // A key readable by others is no longer secret to them; tighten it (this very file) rather than refuse to start.
        if ((fstatSync(reading).mode & 0o077) !== 0) fchmodSync(reading, 0o600);
        key = readFileSync(reading);
      } finally {
        closeSync(reading);
      }
      if (key.length !== KEY_BYTES) {
        throw new StoreError('wrong_key', `The key file ${path} holds ${key.length} bytes instead of ${KEY_BYTES}; it is damaged. Restore it from where you saved it.`);
      }
      held = true;
      return key;
    },
  };
}

/** The sentence for a key file gone from beside the data it sealed: what is missing, and the one step that helps. */
export function missingKey(path: string, data: readonly string[]): StoreError {
  return new StoreError('wrong_key', `The key file ${path} is missing, but ${dirname(path)} holds data sealed with it (${data.join(', ')}). Put that key file back from where you saved it; no new key was made, since a new key cannot open the existing data.`);
}

/** Reads and checks the key once, so a broken keyring fails at open rather than at the first enrolment. */
export function readKey(keyring: Keyring): Buffer {
  let key: Buffer;
  try {
    key = keyring.getKey();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('wrong_key', `Could not read the database key: ${(error as Error).message}`, { cause: error });
  }
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new StoreError('wrong_key', `The keyring gave a key of ${Buffer.isBuffer(key) ? key.length : 'no'} bytes; AES-256 needs ${KEY_BYTES}.`);
  }
  return key;
}
