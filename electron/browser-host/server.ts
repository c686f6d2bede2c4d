// `npm run serve`: node out/browser-host/server.js [--port N] [--data DIR]
// Prints the URL (with its per-launch token) and serves until Ctrl+C, then closes the database.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../services/app/dataFolder';
import { startBrowserHost } from './host';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const inline = process.argv.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

const portText = argument('port');
const port = portText === undefined ? 0 : Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number from 0 to 65535, not ${portText}`);
  process.exit(2);
}
// out/browser-host/server.js and electron/browser-host/server.ts both sit two folders below the app root.
const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = resolve(argument('data') ?? defaultDataDir());

const host = await startBrowserHost({ appRoot, dataDir, port });
console.log(`NormFace browser host: ${host.url}`);
console.log(`data folder: ${dataDir}`);
const state = host.service.storeState();
if (state.state !== 'ok') console.error(`The database could not be opened: ${state.message}`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    host.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error('normface: shutdown failed', e);
        process.exit(1);
      },
    );
  });
}
