// The database key under Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet): the key file
// on disk is sealed by the OS account, so copying the data folder elsewhere does not reveal it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SafeStorage } from 'electron';
import { StoreError } from './errors';
import { KEY_BYTES, missingKey, sealedDataIn, type KeyCustody, type Keyring } from './keyring';
import { dirname } from 'node:path';

type KeyStore = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

/**
 * What safeStorage really protects the key with. On Linux without a keyring it falls back to
 * 'basic_text', a password compiled into Chromium: the sealed key file is then as good as plain.
 */
export function safeStorageCustody(safeStorage: KeyStore, platform: NodeJS.Platform = process.platform): KeyCustody {
  if (platform === 'darwin') return { protection: 'os-keystore', backend: 'keychain', summary: 'The database key is sealed by the macOS Keychain for your user account.' };
  if (platform === 'win32') return { protection: 'os-keystore', backend: 'dpapi', summary: 'The database key is sealed by Windows (DPAPI) for your user account.' };
  const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
  if (backend === 'basic_text' || backend === 'unknown') {
    return {
      protection: 'weak',
      backend,
      summary: 'No system keyring was found, so the database key is only obscured with a password built into Electron (basic_text): anyone who copies the data folder can open it. Install and unlock GNOME Keyring or KWallet, then restart the app.',
    };
  }
  return { protection: 'os-keystore', backend, summary: `The database key is sealed by the system keyring (${backend}) for your user account.` };
}

export function safeStorageKeyring(path: string, safeStorage: KeyStore): Keyring {
  let key: Buffer | null = null;
  return {
    custody: () => safeStorageCustody(safeStorage),
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
          throw new StoreError('wrong_key', `The key in ${path} cannot be unlocked by this user account (${(e as Error).message}). Sign in with the account that created it: backups are sealed with the same key.`, { cause: e });
        }
        const k = Buffer.from(text, 'base64');
        if (k.length !== KEY_BYTES) throw new StoreError('wrong_key', `The key in ${path} is damaged (${k.length} bytes instead of ${KEY_BYTES}).`);
        key = k;
        return k;
      }
      const data = sealedDataIn(dirname(path));
      if (data.length > 0) throw missingKey(path, data);
      const fresh = randomBytes(KEY_BYTES);
      // Written beside and renamed in: a crash never leaves half a key.
      writeFileSync(`${path}.partial`, safeStorage.encryptString(fresh.toString('base64')), { mode: 0o600 });
      renameSync(`${path}.partial`, path);
      key = fresh;
      return fresh;
    },
  };
}
