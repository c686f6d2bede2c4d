// Enrolment writes the login configuration's mapping line (issue 18): `enroll --login-as USER
// --write-config FILE` puts `user USER = ID` in place of the user's earlier line or at the end, keeps every
// other line, the mode and the owner, refuses a link (its target untouched) and, as root, what verify as
// root would refuse; and `verify --config` then reads the line.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLoginConfig } from '../../electron/cli/pamConfig';
import { withMapping, writeMapping } from '../../electron/cli/writeConfig';
import { tempDataDir } from '../support/apiFixtures';
import { buildCli, runCliClean } from '../support/cli';
import { hasLfw, lfwImage, noLfwReason, skipReason, titled } from '../support/shared';

const ID_A = '3f2b8c1e-7d4a-4e1b-9c55-0a6f1d2e3b4c';
const ID_B = '9a8b7c6d-1111-4e1b-9c55-0a6f1d2e3b4c';
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const EXISTING = '# NormFace login\ndata = /var/lib/normface\n\nuser bob = b0b\n# alice, since March\nuser alice = old-id\ntimeout = 8\n';

describe('the mapping line in the login configuration', () => {
  it('replaces the user\'s line in place (a later duplicate dropped), or adds one at the end, keeping the rest', () => {
    expect(withMapping(EXISTING, 'alice', ID_A)).toEqual({ text: EXISTING.replace('user alice = old-id', `user alice = ${ID_A}`), replaced: 'user alice = old-id' });
    expect(withMapping('user alice = a\nuser  alice=b\n', 'alice', ID_A).text).toBe(`user alice = ${ID_A}\n`);
    expect(withMapping('data = /x', 'carol', ID_A)).toEqual({ text: `data = /x\nuser carol = ${ID_A}\n`, replaced: null });
    // Another user whose name starts the same is someone else.
    expect(withMapping('user alicex = a\n', 'alice', ID_A).text).toBe(`user alicex = a\nuser alice = ${ID_A}\n`);
  });

  it('writes into an existing file (mode kept), replaces it again, makes a new one 0644, and leaves no temporary file', () => {
    const dir = tempDataDir('write-config');
    const file = join(dir, 'pam.conf');
    writeFileSync(file, EXISTING, { mode: 0o640 });
    chmodSync(file, 0o640);
    expect(writeMapping(file, 'alice', ID_A)).toEqual({ line: `user alice = ${ID_A}`, replaced: 'user alice = old-id' });
    expect(writeMapping(file, 'alice', ID_B).replaced).toBe(`user alice = ${ID_A}`);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(EXISTING.replace('user alice = old-id', `user alice = ${ID_B}`));
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect(parseLoginConfig(text, file).users.get('alice')).toBe(ID_B);
    const fresh = join(dir, 'new.conf');
    writeMapping(fresh, 'carol', ID_A);
    expect(readFileSync(fresh, 'utf8')).toBe(`user carol = ${ID_A}\n`);
    expect(statSync(fresh).mode & 0o7777).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['new.conf', 'pam.conf']);
  });

  it('refuses a link (the target untouched), a user name that could break the line, and a file that would not parse', () => {
    const dir = tempDataDir('write-config-refused');
    const target = join(dir, 'shadow-like');
    writeFileSync(target, 'precious\n');
    const link = join(dir, 'pam.conf');
    symlinkSync(target, link);
    expect(() => writeMapping(link, 'alice', ID_A)).toThrow(`The login configuration ${link} is a symbolic link; nothing was written.`);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    const file = join(dir, 'real.conf');
    writeFileSync(file, 'data = /x\n');
    expect(() => writeMapping(file, 'alice = x\nuser root', ID_A)).toThrow(/is not a system user name/);
    writeFileSync(file, 'camra = /dev/video0\n');
    expect(() => writeMapping(file, 'alice', ID_A)).toThrow(/line 1: unknown setting camra/);
    expect(readFileSync(file, 'utf8')).toBe('camra = /dev/video0\n');
    expect(readdirSync(dir).sort()).toEqual(['pam.conf', 'real.conf', 'shadow-like']);
  });

  it.skipIf(!root)('as root, refuses a file or folder another user could change, as verify as root would (the file untouched)', () => {
    const dir = tempDataDir('write-config-root');
    const file = join(dir, 'pam.conf');
    writeFileSync(file, 'data = /x\n', { mode: 0o644 });
    chownSync(file, 65534, 65534);
    expect(() => writeMapping(file, 'alice', ID_A)).toThrow(/Refusing to run as root: .*pam\.conf \(the login configuration\) belongs to uid 65534/);
    expect(readFileSync(file, 'utf8')).toBe('data = /x\n');
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => writeMapping(join(open, 'pam.conf'), 'alice', ID_A)).toThrow(/can be written by users other than root/);
    expect(existsSync(join(open, 'pam.conf'))).toBe(false);
  });
});

const skip = skipReason(!hasLfw && noLfwReason);

const normface = runCliClean;

describe.skipIf(skip)(titled('enroll --write-config, then verify --config reads it (real command, LFW photos)', skip), () => {
  it('writes the line after enrolling; a link is refused before any photo is read; verify finds the person by it', async () => {
    buildCli();
    const dir = tempDataDir('write-config-cli');
    const data = join(dir, 'data');
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    for (let i = 1; i <= 2; i++) copyFileSync(lfwImage('Abdullah_Gul', i), join(photos, `gul-${i}.jpg`));
    const config = join(dir, 'pam.conf');
    writeFileSync(config, `# face login\ndata = ${data}\ncamera = /dev/video-none\ntimeout = 2\nuser alice = old-id\n`, { mode: 0o644 });
    const link = join(dir, 'link.conf');
    symlinkSync(config, link);
    const refused = await normface(['--data', data, 'enroll', 'Abdullah Gul', '--photos', photos, '--login-as', 'alice', '--write-config', link]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('is a symbolic link; nothing was written');
    expect(refused.stdout).toBe('');
    expect(readFileSync(config, 'utf8')).toContain('user alice = old-id');

    const r = await normface(['--data', data, 'enroll', 'Abdullah Gul', '--photos', photos, '--login-as', 'alice', '--write-config', config]);
    expect(r.status, r.stderr).toBe(0);
    const id = /Wrote to .*: user alice = ([\w-]+) \(in place of: user alice = old-id\)$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(readFileSync(config, 'utf8')).toBe(`# face login\ndata = ${data}\ncamera = /dev/video-none\ntimeout = 2\nuser alice = ${id}\n`);
    // The mapping is read and the record found: the attempt gets as far as the (missing) camera.
    const v = await normface(['verify', '--config', config, 'alice']);
    expect(v.status).toBe(2);
    expect(v.stderr).toContain('There is no camera at /dev/video-none');
  }, 300_000);
});
