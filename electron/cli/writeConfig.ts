// `normface enroll ... --login-as USER --write-config FILE`: writes (or replaces) the `user USER = ID`
// line of the login configuration, keeping every other line and comment. Atomically: a temporary file
// in the same folder, fsynced, renamed over the old one (a crash leaves the old file or the new, never
// half of one). Never through a link: a link as FILE is refused, the old file is read with O_NOFOLLOW,
// and rename replaces a link planted meanwhile instead of writing to its target. The file keeps its
// mode and owner (a new one: 0644, root's as install.sh makes it). Run as root, FILE must pass the
// checks `verify --config` applies (checkRootPath), so root never writes a file a user could swap.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors';
import { mappingLine, parseLoginConfig } from './pamConfig';
import { checkRootPath, runningAsRoot } from './rootSafety';

/** A system user name as useradd allows it (and nothing that could end the line early: no space, '=' or '#'). */
const SYSTEM_USER = /^[A-Za-z0-9_.][A-Za-z0-9_.@-]{0,31}\$?$/;
const NEW_FILE_MODE = 0o644;

/** The configuration's lstat, or null when it is not there yet; refuses a link or anything but a plain file. */
function currentFile(path: string): Stats | null {
  let s: Stats;
  try {
    s = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`The login configuration ${path} cannot be checked (${(error as Error).message}).`, 'invalid-config');
  }
  if (s.isSymbolicLink()) throw new CliError(`The login configuration ${path} is a symbolic link; nothing was written. Name the file itself.`, 'invalid-config');
  if (!s.isFile()) throw new CliError(`The login configuration ${path} is not a plain file; nothing was written.`, 'invalid-config');
  return s;
}

/** What enrolment checks before it starts, so that a refused FILE does not come after the work is done. */
export function checkConfigTarget(file: string, systemUser: string): void {
  if (!SYSTEM_USER.test(systemUser)) {
    throw new CliError(`${systemUser} is not a system user name (letters, digits, ".", "_", "-", "@"; at most 32).`, 'invalid-arguments');
  }
  const path = resolve(file);
  currentFile(path);
  // Root writes only where verify, as root, would read: a configuration or folder another user could change is refused.
  if (runningAsRoot()) checkRootPath(path, 'the login configuration', 'file', true);
}

/** `text` with `user USER = ID` in place of the first line that maps USER (later ones dropped), or added at the end. */
export function withMapping(text: string, systemUser: string, id: string): { text: string; replaced: string | null } {
  const line = mappingLine(systemUser, id);
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  let replaced: string | null = null;
  const kept: string[] = [];
  for (const raw of lines) {
    const m = /^\s*user\s+(\S+)\s*=(.*)$/.exec(raw);
    if (m && m[1] === systemUser) {
      if (replaced === null) {
        replaced = raw.trim();
        kept.push(line);
      }
      continue;
    }
    kept.push(raw);
  }
  if (replaced === null) kept.push(line);
  return { text: `${kept.join('\n')}\n`, replaced };
}

/** Writes the mapping into `file` (see the top of this file); returns the line it replaced, if any. */
export function writeMapping(file: string, systemUser: string, id: string): { line: string; replaced: string | null } {
  checkConfigTarget(file, systemUser);
  const path = resolve(file);
  const before = currentFile(path);
  let old = '';
  let mode = NEW_FILE_MODE;
  let owner: { uid: number; gid: number } | null = null;
  if (before) {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const s = fstatSync(fd);
      // The file read must be the one checked (not swapped between lstat and open).
      if (s.ino !== before.ino || s.dev !== before.dev) throw new CliError(`The login configuration ${path} changed while it was read; nothing was written. Try again.`, 'invalid-config');
      old = readFileSync(fd, 'utf8');
      mode = s.mode & 0o7777;
      owner = { uid: s.uid, gid: s.gid };
    } finally {
      closeSync(fd);
    }
  }
  const { text, replaced } = withMapping(old, systemUser, id);
  // What verify will read must parse: a mistake elsewhere in the file is said now, not at the next login.
  parseLoginConfig(text, path);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      writeSync(fd, text);
      if (owner) {
        const made = fstatSync(fd);
        if (made.uid !== owner.uid || made.gid !== owner.gid) fchownSync(fd, owner.uid, owner.gid);
      }
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof CliError) throw error;
    throw new CliError(`Could not write the login configuration ${path}: ${(error as Error).message}. Nothing was changed.`, 'io');
  }
  // The rename itself survives a power cut once the folder is on disk.
  const folder = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
  return { line: mappingLine(systemUser, id), replaced };
}
