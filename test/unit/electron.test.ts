// Main-process logic with the electron module replaced: IPC registration and its sender check,
// validation before handlers, the permission policy, window hardening, the app:// protocol and the
// safeStorage keyring. (The Electron binary is absent here; electron.d.ts type-checks these files.)
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ app: {}, BrowserWindow: class {}, ipcMain: {}, protocol: {}, safeStorage: {}, session: {}, Menu: {}, dialog: {} }));

import { callNames } from '../../core/contract/api';
import { forbidden, registerContract } from '../../electron/main/ipc';
import { safeStorageKeyring } from '../../electron/services/store/safeStorageKeyring';
import { channelOf } from '../../electron/services/app/origin';
import { restrictPermissions } from '../../electron/main/permissions';
import { createProtocolHandler } from '../../electron/main/protocol';
import { lockDown, windowOptions } from '../../electron/main/window';
import type { Handlers } from '../../electron/services/app/dispatch';
import { gateOver } from '../support/apiFixtures';
import { repoRoot } from '../support/shared';

type Listener = (event: unknown, args: unknown) => unknown;

function fakeIpc() {
  const handlers = new Map<string, Listener>();
  return { handlers, ipc: { handle: (channel: string, fn: Listener) => handlers.set(channel, fn), removeHandler: (channel: string) => handlers.delete(channel) } };
}

describe('IPC registration', () => {
  const ran: string[] = [];
  const handlers = new Proxy({}, { get: (_t, name: string) => () => { ran.push(name); return { fine: true }; } }) as unknown as Handlers;
  const { handlers: registered, ipc } = fakeIpc();
  registerContract(ipc as never, gateOver(handlers).gate);
  const sender = { id: 1, once: () => undefined };
  const frame = (url: string, parent: unknown = null) => ({ sender, senderFrame: { url, parent } });

  it('registers one channel per contract call, and nothing else', () => {
    expect([...registered.keys()].sort()).toEqual(callNames.map(channelOf).sort());
  });

  it('refuses calls from frames that are not the app itself, before any handler runs', async () => {
    const call = registered.get(channelOf('app.info'))!;
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/', '']) {
      expect(await call(frame(url), {})).toEqual(forbidden(url || undefined));
    }
    expect(await call(frame('app://normface/', { url: 'app://normface/' }), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ran).toEqual([]);
    expect(await call(frame('app://normface/index.html'), {})).toEqual({ ok: true, value: { fine: true } });
    expect(ran).toEqual(['app.info']);
  });

  it('refuses an operator call from the app\'s own window without an operator session, before any handler runs', async () => {
    ran.length = 0;
    const reply = await registered.get(channelOf('settings.get'))!(frame('app://normface/'), {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ran).toEqual([]);
  });

  it('validates arguments before the handler runs', async () => {
    ran.length = 0;
    const reply = await registered.get(channelOf('login'))!(frame('app://normface/'), { identityId: 42 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(ran).toEqual([]);
  });
});

describe('permissions', () => {
  const set: Record<string, (...a: never[]) => unknown> = {};
  restrictPermissions({
    setPermissionRequestHandler: (fn: never) => (set['request'] = fn),
    setPermissionCheckHandler: (fn: never) => (set['check'] = fn),
    setDevicePermissionHandler: (fn: never) => (set['device'] = fn),
  } as never);
  const ask = (permission: string, url: string, mediaTypes?: string[]) =>
    new Promise<boolean>((resolve) => (set['request'] as (...a: unknown[]) => void)({ getURL: () => url }, permission, resolve, { requestingUrl: url, mediaTypes }));

  it('grants the camera to the app only, and nothing else to anyone', async () => {
    expect(await ask('media', 'app://normface/', ['video'])).toBe(true);
    expect(await ask('media', 'app://normface/', ['video', 'audio'])).toBe(false);
    expect(await ask('media', 'https://evil.example/', ['video'])).toBe(false);
    for (const p of ['notifications', 'geolocation', 'clipboard-read', 'openExternal', 'midi']) expect(await ask(p, 'app://normface/')).toBe(false);
    expect((set['check'] as (...a: unknown[]) => boolean)(null, 'media', 'app://normface')).toBe(true);
    expect((set['check'] as (...a: unknown[]) => boolean)(null, 'media', 'https://evil.example')).toBe(false);
    expect((set['device'] as () => boolean)()).toBe(false);
  });
});

describe('window', () => {
  it('isolates and sandboxes the renderer', () => {
    expect(windowOptions('/p.cjs').webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/p.cjs' });
  });

  it('blocks navigation away from the app and every new window', () => {
    const on: Record<string, (e: { preventDefault(): void }, url: string) => void> = {};
    let openHandler: (() => unknown) | undefined;
    lockDown({ on: (name: string, fn: never) => (on[name] = fn), setWindowOpenHandler: (fn: never) => (openHandler = fn) } as never);
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      on['will-navigate']!(event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://normface/settings')).toBe(false);
    expect(openHandler!()).toEqual({ action: 'deny' });
  });
});

describe('app:// protocol', () => {
  const handler = createProtocolHandler({ renderer: join(repoRoot, 'test'), models: join(repoRoot, 'models'), ort: join(repoRoot, 'node_modules', 'onnxruntime-web', 'dist') }, () => {});

  it('serves models with COOP/COEP/CSP and refuses anything outside its roots', async () => {
    const res = await handler(new Request('app://normface/models/manifest.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
    expect(JSON.parse(await res.text())).toHaveProperty('models');
    for (const url of ['app://normface/models/install.mjs', 'app://normface/%2e%2e/package.json', 'app://other/models/manifest.json']) {
      expect((await handler(new Request(url))).status, url).toBe(404);
    }
  });
});

describe('safeStorage keyring', () => {
  const fake = { isEncryptionAvailable: () => true, encryptString: (s: string) => Buffer.from(`sealed:${s}`), decryptString: (b: Buffer) => b.toString().replace(/^sealed:/, '') };

  it('creates one 32-byte key, keeps it sealed on disk and returns the same key after a restart', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'normface-keyring-')), 'key.sealed');
    const key = safeStorageKeyring(path, fake).getKey();
    expect(key.length).toBe(32);
    expect(readFileSync(path).toString()).toMatch(/^sealed:/);
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(safeStorageKeyring(path, fake).getKey().equals(key)).toBe(true);
  });

  it('says what to do when the system keyring is missing', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'normface-keyring-')), 'key.sealed');
    expect(() => safeStorageKeyring(path, { ...fake, isEncryptionAvailable: () => false }).getKey()).toThrow(/keyring is not available/);
  });
});
