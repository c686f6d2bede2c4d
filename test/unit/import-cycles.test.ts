// No module imports itself at run time through others (store/events.ts and store/identities.ts once
// did): a cycle makes load order decide which side sees the other's exports as undefined. Type-only
// imports are erased and do not count; nor do dynamic import()s, which run after loading. The check
// first proves it finds a cycle in scratch files, then walks the tree.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared';

const IMPORT = /^\s*(?:import|export)\s+(?!type\s)([^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Whether `import { type A, type B } from` (every name type-only) is what the clause says. */
const typeOnlyNames = (clause: string): boolean => {
  const names = /\{([^}]*)\}/.exec(clause);
  if (!names || clause.replace(/\{[^}]*\}/, '').replace(/\sfrom\s*$/, '').trim() !== '') return false;
  const list = names[1]!.split(',').map((n) => n.trim()).filter(Boolean);
  return list.length > 0 && list.every((n) => n.startsWith('type '));
};

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function runtimeImports(file: string): string[] {
  const found: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    if (m[1] && typeOnlyNames(m[1])) continue;
    const target = resolve(dirname(file), m[2]!).replace(/\.js$/, '');
    const hit = [target, `${target}.ts`, `${target}.tsx`, join(target, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile());
    if (hit) found.push(hit);
  }
  return found;
}

/** Every run-time import cycle among the sources under `dirs`, as "a -> b -> a" paths relative to `root`. */
function importCycles(root: string, dirs: string[]): string[] {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) for (const file of sources(join(root, dir))) graph.set(file, runtimeImports(file));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles = new Set<string>();
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.add([...stack.slice(stack.indexOf(next)), next].map((f) => relative(root, f)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return [...cycles];
}

describe('run-time import cycles', () => {
  it('are found in scratch files, and type-only imports are not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
    try {
      writeFileSync(join(dir, 'events.ts'), "import { currentName } from './identities';\nexport const appendEvent = () => currentName;\n");
      writeFileSync(join(dir, 'identities.ts'), "import {\n  appendEvent,\n} from './events';\nexport const currentName = () => appendEvent;\n");
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nimport { type C } from './c';\nexport type A = B | C;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport type B = number;\nexport const b = a;\n");
      writeFileSync(join(dir, 'c.ts'), "export * from './a';\nexport type C = string;\n");
      expect(importCycles(dir, ['.'])).toEqual(['events.ts -> identities.ts -> events.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('none in core, electron, native-train or the renderer', () => {
    expect(importCycles(repoRoot, ['core', 'electron', 'native-train', 'renderer/src'])).toEqual([]);
  });
});
