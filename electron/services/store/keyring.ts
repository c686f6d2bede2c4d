// The key that seals templates at rest. The store only asks a Keyring for 32 bytes; where they live is
// the host's business: Electron keeps them under safeStorage (electron/main), the browser host in a
// 0600 file beside the database (fileKeyring below).
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { StoreError } from './errors';

export const KEY_BYTES = 32;

export interface Keyring {
  /** The AES-256 key: exactly 32 bytes, the same on every call and every launch. */
  getKey(): Buffer;
  /** How the key is protected, said plainly for Settings and About (call after getKey). */
  custody?(): KeyCustody;
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
 * A key kept in a file readable only by its owner (mode 0600). Created with a fresh random key on the
 * first call; never overwritten afterwards, since losing it makes every template unreadable.
 */
export function fileKeyring(path: string): Keyring {
  return {
    custody: () => KEY_FILE_CUSTODY,
    getKey(): Buffer {
      let fd: number | null = null;
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
      return key;
    },
  };
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
