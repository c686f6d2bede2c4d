// Electron's entry: wires the hardened window, the app:// protocol, the permission policy, the
// contract over IPC and the store, and closes the database on the way out.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAbout } from '../services/app/about';
import { startHostService } from '../services/app/hostService';
import type { AppService } from '../services/app/service';
import { registerContract } from './ipc';
import { safeStorageKeyring } from '../services/store/safeStorageKeyring';
import { menuTemplate } from './menu';
import { APP_SCHEME } from '../services/app/origin';
import { restrictPermissions } from './permissions';
import { createProtocolHandler, registerScheme } from './protocol';
import { createMainWindow, setKiosk } from './window';

const here = dirname(fileURLToPath(import.meta.url));
let service: AppService | null = null;
let window: BrowserWindow | null = null;

registerScheme(protocol);

async function start(): Promise<void> {
  const appRoot = app.getAppPath();
  const modelsDir = join(appRoot, 'models');
  const log = (message: string, error: unknown) => console.error(message, error);
  protocol.handle(APP_SCHEME, createProtocolHandler({ renderer: join(appRoot, 'out', 'renderer'), models: modelsDir, ort: join(appRoot, 'node_modules', 'onnxruntime-web', 'dist') }, log));
  restrictPermissions(session.defaultSession);

  const about = readAbout(appRoot, modelsDir);
  const dataDir = app.getPath('userData');
  const menu = Menu.buildFromTemplate(menuTemplate(process.platform, about.name, app.isPackaged));
  ({ service } = await startHostService({
    appRoot,
    dataDir,
    keyring: safeStorageKeyring(join(dataDir, 'normface.key.sealed'), safeStorage),
    host: 'electron',
    log,
    onKioskChange: (locked) => {
      if (window) setKiosk(window, locked, menu);
    },
  }));
  registerContract(ipcMain, service.gate);
  Menu.setApplicationMenu(menu);
  window = createMainWindow(BrowserWindow, join(here, '..', 'preload', 'preload.cjs'));
  setKiosk(window, service.kioskLocked(), menu);
  window.on('closed', () => (window = null));
}

// `NormFace Desktop --cli verify alice ...`: the packaged app's command line. Its fuses forbid running
// out/cli/normface.js as plain Node under this binary, and here the key is under safeStorage, as the
// window's is. No window, no single-instance lock: PAM may call it while the app is open.
const cliAt = process.argv.indexOf('--cli');
if (cliAt >= 0) {
  // Loaded only here: the window's start-up does not pay for the command line's modules.
  import('../cli/program').then(({ runNormface }) => runNormface(process.argv.slice(cliAt + 1), app.getAppPath())).then(
    (status) => app.exit(status),
    (e: unknown) => {
      process.stderr.write(`normface: ${e instanceof Error ? e.message : String(e)}\n`);
      app.exit(2);
    },
  );
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_e, contents) => contents.setWindowOpenHandler(() => ({ action: 'deny' })));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    service?.close();
    service = null;
  });
  app.whenReady().then(start).catch((e: unknown) => {
    dialog.showErrorBox('NormFace Desktop could not start', e instanceof Error ? e.message : String(e));
    app.exit(1);
  });
}
