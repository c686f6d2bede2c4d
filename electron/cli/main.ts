// The `normface` program proper, loaded by the entry (normface.ts) once what root would run is checked.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNormface } from './program';

// out/cli/normface-main.js and electron/cli/main.ts both sit two folders below the app root.
const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function main(): void {
  runNormface(process.argv.slice(2), appRoot).then(
    (status) => process.exit(status),
    (error: unknown) => {
      process.stderr.write(`normface: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
