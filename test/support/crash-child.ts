// Crash tests kill a child process mid-write many times; its script (test/support/*-child.ts) is
// bundled once to CommonJS: a tsx start per kill costs seconds on a loaded 2-core machine, and the
// code is the same every time. (Kept out of store-fixtures.ts, which the children themselves import.)
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './shared';

export async function bundleChild(entry: string, outfile: string, external: readonly string[] = []): Promise<void> {
  await build({ entryPoints: [join(repoRoot, entry)], bundle: true, platform: 'node', format: 'cjs', external: ['better-sqlite3', ...external], outfile, logLevel: 'warning' });
}
