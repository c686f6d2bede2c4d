// The database key under Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet): the key file
// on disk is sealed by the OS account, so copying the data folder elsewhere does not reveal it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SafeStorage } from 'electron';
import { KEY_BYTES, StoreError, type Keyring } from '../services/store/index';

export function safeStorageKeyring(path: string, safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>): Keyring {
  let key: Buffer | null = null;
  return {
    getKey(): Buffer {
      if (key) return key;
      if (!safeStorage.isEncryptionAvailable()) {
        throw new StoreError('wrong_key', 'The system keyring is not available, so the face data cannot be unlocked. On Linux, start a keyring service (GNOME Keyring or KWallet) and restart the app.');
      }
      if (existsSync(path)) {
        let text: string;
        try {
          text = safeStorage.decryptString(readFileSync(path));
        } catch (e) {
          throw new StoreError('wrong_key', `The key in ${path} cannot be unlocked by this user account (${(e as Error).message}). Restore a backup made on this account.`, { cause: e });
        }
        const k = Buffer.from(text, 'base64');
        if (k.length !== KEY_BYTES) throw new StoreError('wrong_key', `The key in ${path} is damaged (${k.length} bytes instead of ${KEY_BYTES}).`);
        key = k;
        return k;
      }
      const fresh = randomBytes(KEY_BYTES);
      // Written beside and renamed in: a crash never leaves half a key.
      writeFileSync(`${path}.partial`, safeStorage.encryptString(fresh.toString('base64')), { mode: 0o600 });
      renameSync(`${path}.partial`, path);
      key = fresh;
      return fresh;
    },
  };
}
