// The `normface` command (package.json "bin"; bundled to out/cli/normface.js by electron/build.mjs).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNormface } from './program';

// out/cli/normface.js and electron/cli/normface.ts both sit two folders below the app root.
const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

runNormface(process.argv.slice(2), appRoot).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`normface: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
