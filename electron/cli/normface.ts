// The `normface` command's entry (package.json "bin"; bundled to out/cli/normface.js by
// electron/build.mjs, the program itself to out/cli/normface-main.js). Run as root, it first checks
// that node, both files, the packages and the models can be changed by root alone, and only then loads
// the program, whose imports execute code from node_modules.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkProgramForRoot, runningAsRoot } from './rootSafety';

const entry = fileURLToPath(import.meta.url);
const here = dirname(entry);
// From sources (tsx) the program is main.ts; built, normface-main.js beside this file.
const program = join(here, entry.endsWith('.ts') ? 'main.ts' : 'normface-main.js');

if (runningAsRoot()) {
  try {
    checkProgramForRoot(resolve(here, '..', '..'), [entry, program]);
  } catch (error) {
    process.stderr.write(`normface: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
const { main } = (await import(pathToFileURL(program).href)) as { main(): void };
main();
