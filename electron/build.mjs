// Bundles the Electron main process, the preload and the browser host into out/ with esbuild.
// Runtime dependencies stay in node_modules (better-sqlite3 is native); the sandboxed preload
// is self-contained CommonJS, since it can require nothing but 'electron'. The training worker is
// its own file beside each bundle that starts it (TrainingService looks for worker.js next to itself).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

// `node electron/build.mjs cli` builds only the command (the tests that run it do).
// Two files: the entry checks, when run as root, what root would run (node_modules included) before it
// loads the program, which imports from node_modules.
const cli = () =>
  Promise.all([
    build({ ...common, entryPoints: ['electron/cli/normface.ts'], outfile: 'out/cli/normface.js', format: 'esm', packages: 'external', banner: { js: '#!/usr/bin/env node' } }),
    build({ ...common, entryPoints: ['electron/cli/main.ts'], outfile: 'out/cli/normface-main.js', format: 'esm', packages: 'external' }),
  ]);
if (process.argv[2] === 'cli') {
  await cli();
  process.exit(0);
}

await Promise.all([
  cli(),
  build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'out/electron/main/main.js', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['electron/browser-host/server.ts'], outfile: 'out/browser-host/server.js', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['electron/services/training/worker.ts'], outfile: 'out/electron/main/worker.js', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['electron/services/training/worker.ts'], outfile: 'out/browser-host/worker.js', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'out/electron/preload/preload.cjs', format: 'cjs', external: ['electron'], platform: 'browser', target: 'chrome130' }),
]);
