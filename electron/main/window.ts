// The one window: isolated, sandboxed renderer without Node, that can neither navigate away nor
// open other windows.
import type { BrowserWindow, BrowserWindowConstructorOptions, Menu, WebContents } from 'electron';
import { APP_URL, isAppUrl } from '../services/app/origin';

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'NormFace Desktop',
    backgroundColor: '#111418',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  };
}

/** Blocks navigation off the app, new windows and webviews. Links to the web are not opened either: the app is offline. */
export function lockDown(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

const kioskWindows = new WeakSet<object>();

/**
 * The locked check-in kiosk: full screen, no menu (nor its shortcuts: reload, developer tools), and
 * developer tools closed whenever they open. Leaving it is the back end's decision (an operator signs in).
 */
export function setKiosk(win: Pick<BrowserWindow, 'setKiosk' | 'setMenu' | 'setMenuBarVisibility' | 'webContents'>, locked: boolean, menu: Menu | null): void {
  if (locked) kioskWindows.add(win);
  else kioskWindows.delete(win);
  win.setKiosk(locked);
  win.setMenu(locked ? null : menu);
  win.setMenuBarVisibility(!locked);
  if (locked) win.webContents.closeDevTools();
}

export function createMainWindow(Window: typeof BrowserWindow, preload: string): BrowserWindow {
  const win = new Window(windowOptions(preload));
  lockDown(win.webContents);
  win.webContents.on('devtools-opened', () => {
    if (kioskWindows.has(win)) win.webContents.closeDevTools();
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}
