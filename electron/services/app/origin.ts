// Shared by the main process and the preload (two hosts that may not import each other).
// The app's own origin. The renderer is served from app://normface/ (protocol.ts); only frames at
// that origin may call the contract or use the camera.
export const APP_SCHEME = 'app';
export const APP_HOST = 'normface';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/`;

export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** One IPC channel per contract call, so ipcMain only answers names the contract knows. */
export function channelOf(call: string): string {
  return `normface:${call}`;
}
