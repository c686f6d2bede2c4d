// Key custody stated honestly: what safeStorage really protects the database key with on each
// platform (Linux's basic_text fallback is called weak), and the browser host's 0600 key file.
import { mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { safeStorageCustody, safeStorageKeyring } from '../../electron/services/store/safeStorageKeyring';
import { fileKeyring } from '../../electron/services/store/index';

const fake = (backend: string) => ({
  isEncryptionAvailable: () => true,
  encryptString: (s: string) => Buffer.from(s),
  decryptString: (b: Buffer) => b.toString(),
  getSelectedStorageBackend: () => backend as ReturnType<Electron.SafeStorage['getSelectedStorageBackend']>,
});

describe('key custody', () => {
  it('calls Linux without a keyring (basic_text) weak, and says what to do', () => {
    const weak = safeStorageCustody(fake('basic_text'), 'linux');
    expect(weak).toMatchObject({ protection: 'weak', backend: 'basic_text' });
    expect(weak.summary).toMatch(/anyone who copies the data folder can open it.*GNOME Keyring or KWallet/);
    expect(safeStorageCustody(fake('gnome_libsecret'), 'linux')).toMatchObject({ protection: 'os-keystore', backend: 'gnome_libsecret' });
    expect(safeStorageCustody(fake('kwallet5'), 'linux').summary).toMatch(/kwallet5/);
    expect(safeStorageCustody(fake('basic_text'), 'darwin')).toMatchObject({ protection: 'os-keystore', backend: 'keychain' });
    expect(safeStorageCustody(fake('basic_text'), 'win32')).toMatchObject({ protection: 'os-keystore', backend: 'dpapi' });
  });

  it('is what the keyrings report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'normface-custody-'));
    const electron = safeStorageKeyring(join(dir, 'key.sealed'), fake(process.platform === 'linux' ? 'basic_text' : 'x'));
    electron.getKey();
    expect(electron.custody?.().protection).toBe(process.platform === 'linux' ? 'weak' : 'os-keystore');
    const file = fileKeyring(join(dir, 'normface.key'));
    file.getKey();
    expect(statSync(join(dir, 'normface.key')).mode & 0o777).toBe(0o600);
    expect(file.custody?.()).toMatchObject({ protection: 'key-file', backend: 'file' });
    expect(file.custody?.().summary).toMatch(/0600.*copies the whole data folder/);
  });

  it('never opens or chmods the key file through a link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'normface-key-link-'));
    const target = join(dir, 'elsewhere');
    writeFileSync(target, Buffer.alloc(32, 7), { mode: 0o644 });
    symlinkSync(target, join(dir, 'normface.key'));
    expect(() => fileKeyring(join(dir, 'normface.key')).getKey()).toThrow(/normface\.key is a symbolic link; the key must be a plain file/);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    // A plain key readable by others is tightened, on the file itself.
    writeFileSync(join(dir, 'plain.key'), Buffer.alloc(32, 9), { mode: 0o644 });
    expect(fileKeyring(join(dir, 'plain.key')).getKey()).toEqual(Buffer.alloc(32, 9));
    expect(statSync(join(dir, 'plain.key')).mode & 0o777).toBe(0o600);
  });
});
