// `npm start`: opens the app in Electron when its runtime is installed; otherwise says so in one
// sentence and starts the browser host instead. Electron's own launcher would print a stack trace
// first ("Electron failed to install correctly"), which tells a user nothing they can act on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron executable, or null when the package was installed without its binary. */
export function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    // The package throws when its binary was never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1).
    return null;
  }
}

export const NO_ELECTRON =
  'Electron is not installed on this machine, so NormFace Desktop opens in your web browser instead (open the address printed below).';

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const electron = electronBinary();
  // --check: say which host would start, and start nothing (for tests and support questions).
  if (process.argv.includes('--check')) {
    console.log(electron ? `Electron: ${electron}` : NO_ELECTRON);
  } else if (electron) {
    run(electron, ['.', ...process.argv.slice(2)]);
  } else {
    console.log(NO_ELECTRON);
    run(process.execPath, [join(root, 'out', 'browser-host', 'server.js'), ...process.argv.slice(2)]);
  }
}
