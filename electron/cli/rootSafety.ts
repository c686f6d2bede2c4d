// Run as root (PAM, sudo), the command must not execute or read anything another user can change:
// node, the command itself, its modules, the models, the login configuration, the data folder, the
// database and the key. Every component of each path, from /, must belong to root and be writable by
// no one else (a sticky folder such as /tmp is passed when the entry below it is root's), and a file
// must not be a symbolic link. Only lstat is used, and nothing is changed: nothing is chmodded or
// opened through a link. Imports only Node built-ins: the command's entry runs it before any module
// of node_modules is loaded (electron/cli/normface.ts).
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';

/** A path root would use that another user could change; the message says which and how to fix it. */
export class UnsafeForRootError extends Error {
  override readonly name = 'UnsafeForRootError';
  readonly code = 'unsafe-for-root';
}

export const runningAsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

const STICKY = 0o1000;

function refuse(path: string, what: string, why: string): never {
  throw new UnsafeForRootError(
    `Refusing to run as root: ${path} (${what}) ${why}. Root may only run and read files that only root can change: install with build/pam/install.sh, or fix it with chown root:root and chmod go-w.`,
  );
}

function writableByOthers(s: Stats): boolean {
  return (s.mode & 0o002) !== 0 || ((s.mode & 0o020) !== 0 && s.gid !== 0);
}

function checkEntry(path: string, s: Stats, what: string): void {
  if (s.uid !== 0) refuse(path, what, `belongs to uid ${s.uid}, not root`);
  if (writableByOthers(s)) refuse(path, what, `can be written by users other than root (mode ${(s.mode & 0o7777).toString(8)})`);
}

/**
 * Checks `path` and every folder above it. `kind` 'file': the path itself must not be a link; 'folder':
 * must be a real folder. A link above it (Debian's /bin -> usr/bin) is allowed where root owns it and
 * the folder holding it, since only root could change it, and its target is checked in turn.
 */
export function checkRootPath(path: string, what: string, kind: 'file' | 'folder', optional = false): void {
  const absolute = resolve(path);
  let final: Stats;
  try {
    final = lstatSync(absolute);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      // Not there yet (a first run creates it): the nearest folder that is, and those above it, must be root's alone.
      checkRootPath(dirname(absolute), `the folder of ${what}`, 'folder', true);
      return;
    }
    refuse(absolute, what, `cannot be checked (${(error as Error).message})`);
  }
  if (final.isSymbolicLink()) refuse(absolute, what, 'is a symbolic link');
  if (kind === 'folder' && !final.isDirectory()) refuse(absolute, what, 'is not a folder');
  if (kind === 'file' && !final.isFile()) refuse(absolute, what, 'is not a plain file');
  checkEntry(absolute, final, what);
  checkAncestors(absolute, final, what, new Set());
}

/** `self`: the path's own lstat (a sticky folder above it is passed only when what is below is root's). */
function checkAncestors(absolute: string, self: Stats, what: string, seen: Set<string>): void {
  const { root } = parse(absolute);
  const parts = relative(root, absolute).split(sep).filter(Boolean);
  let below: Stats = self;
  // From the path's folder up to /: each must be root's and closed to others (sticky: only if what is below is root's).
  for (let i = parts.length - 1; i >= 0; i--) {
    const folder = join(root, ...parts.slice(0, i));
    const s = lstatSync(folder);
    if (s.isSymbolicLink()) {
      if (s.uid !== 0) refuse(folder, what, 'is a symbolic link that is not root\'s');
      if (seen.has(folder)) refuse(folder, what, 'is part of a loop of symbolic links');
      seen.add(folder);
    } else if (s.uid !== 0) {
      refuse(folder, `a folder above ${what}`, `belongs to uid ${s.uid}, not root`);
    } else if (writableByOthers(s) && !((s.mode & STICKY) !== 0 && below.uid === 0)) {
      refuse(folder, `a folder above ${what}`, `can be written by users other than root (mode ${(s.mode & 0o7777).toString(8)})`);
    }
    below = s;
  }
  // A root-owned link on the way: where it leads must be as safe (realpath only ever resolves these).
  for (let i = 1; i < parts.length; i++) {
    const step = join(root, ...parts.slice(0, i));
    if (!lstatSync(step).isSymbolicLink()) continue;
    const target = realpathSync(step);
    const targetStat = lstatSync(target);
    checkEntry(target, targetStat, `${what} (through the link ${step})`);
    checkAncestors(target, targetStat, what, seen);
  }
}

/** Every file and folder under `folder` (not following links: a link inside is refused). */
export function checkRootTree(folder: string, what: string): void {
  checkRootPath(folder, what, 'folder');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const s = lstatSync(path);
      if (s.isSymbolicLink()) refuse(path, what, 'is a symbolic link');
      checkEntry(path, s, what);
      if (s.isDirectory()) walk(path);
    }
  };
  walk(resolve(folder));
}

/**
 * The packages the command loads: the app's production dependencies and theirs, found the way Node
 * finds them (node_modules beside the app, flat), each checked as a whole tree.
 */
export function productionPackages(appRoot: string): string[] {
  const modules = join(appRoot, 'node_modules');
  const found = new Set<string>();
  const visit = (name: string): void => {
    const dir = join(modules, ...name.split('/'));
    if (found.has(dir) || !existsSync(join(dir, 'package.json'))) return;
    found.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  const app = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(app.dependencies ?? {})) visit(dep);
  return [...found];
}

/** What root executes before it reads any data: node, the command's files, its packages, the models. */
export function checkProgramForRoot(appRoot: string, commandFiles: readonly string[]): void {
  if (!isAbsolute(process.execPath)) refuse(process.execPath, 'node', 'is not an absolute path');
  checkRootPath(process.execPath, 'node', 'file');
  checkRootPath(join(appRoot, 'package.json'), "the app's package.json", 'file');
  for (const file of commandFiles) checkRootPath(file, 'the normface command', 'file');
  checkRootPath(join(appRoot, 'node_modules'), "the command's modules", 'folder');
  for (const pkg of productionPackages(appRoot)) checkRootTree(pkg, "the command's modules");
  checkRootTree(join(appRoot, 'models'), 'the face models');
}
