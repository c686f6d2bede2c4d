// The per-user data folder of the Node hosts (the browser host and the `normface` command share it,
// so a person enrolled with one is known to the other). Electron keeps its own under userData.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'NormFace Desktop', 'browser-host');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'NormFace Desktop', 'browser-host');
  return join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'normface-desktop', 'browser-host');
}
