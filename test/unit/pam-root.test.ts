// Face login that root can trust (issue 18), as root: build/pam/install.sh's copy is root's alone; the
// command refuses, before it runs anything, a command file, a module, a data folder or a key another
// user could change and a key that is a link, changing nothing; and it falls through, without opening
// the data or the camera, for a remote login or when switched off, and refuses a mapping to a name.
// "Another user" is uid 65534 (nobody), or a world-writable mode: the tests run as root in CI.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { buildCli, runCli } from '../support/cli';
import { repoRoot, skipReason, titled } from '../support/shared';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = skipReason(!root && 'the root-safety checks apply only when the command runs as root', process.platform !== 'linux' && 'install.sh is for Linux');
const NOBODY = 65534;

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env: { PATH: '/usr/bin:/bin', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Every entry under `dir` with its owner, mode and kind. */
function tree(dir: string): { path: string; uid: number; mode: number; link: boolean }[] {
  const out: { path: string; uid: number; mode: number; link: boolean }[] = [];
  const walk = (p: string) => {
    const s = lstatSync(p);
    out.push({ path: p, uid: s.uid, mode: s.mode & 0o7777, link: s.isSymbolicLink() });
    if (s.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return out;
}

describe.skipIf(skip)(titled('face login as root: the installed copy and what the command refuses', skip), () => {
  const dir = tempDataDir('pam-root');
  const prefix = join(dir, 'lib', 'normface');
  const config = join(dir, 'etc', 'pam.conf');
  const data = join(dir, 'data');
  const normface = join(prefix, 'bin', 'normface');
  let personId = '';

  beforeAll(async () => {
    buildCli();
    execFileSync('sh', [join(repoRoot, 'build', 'pam', 'install.sh'), prefix, config], { env: { ...process.env, NORMFACE_DATA: data }, stdio: 'pipe' });
    // One person, enrolled by the app's service into the installed data folder (root's key file, 0600).
    const app = await openApp(data, writeCalibration(dir));
    personId = (await app.api.identities.create({ name: 'Alice', templates: personTemplates(5, 2).map((v) => ({ vector: Array.from(v), quality: { score: 0.8, sharpness: 0.5 }, source: 'photo' as const })) })).id;
    app.service.close();
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("install.sh's copy is root's, writable by no one else, with no links, and its helper names absolute paths", () => {
    const entries = tree(prefix);
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.filter((e) => e.uid !== 0).map((e) => e.path)).toEqual([]);
    expect(entries.filter((e) => (e.mode & 0o022) !== 0).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
    expect(entries.filter((e) => e.link).map((e) => e.path)).toEqual([]);
    for (const f of ['bin/node', 'app/out/cli/normface.js', 'app/out/cli/normface-main.js', 'app/models/fr_feature.onnx', 'app/node_modules/better-sqlite3/package.json', 'app/node_modules/onnxruntime-node/package.json']) {
      expect(existsSync(join(prefix, f)), f).toBe(true);
    }
    const helper = readFileSync(join(prefix, 'normface-pam'), 'utf8');
    expect(helper).toContain(`${prefix}/bin/node ${prefix}/app/out/cli/normface.js verify --config ${config}`);
    expect(helper).not.toMatch(/@[A-Z]+@/);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(config)).toMatchObject({ uid: 0 });
    expect(statSync(config).mode & 0o022).toBe(0);
  });

  it('install.sh refuses a relative path', () => {
    const r = (() => {
      try {
        execFileSync('sh', [join(repoRoot, 'build', 'pam', 'install.sh'), 'relative/lib', config], { stdio: 'pipe', cwd: dir });
        return { status: 0, stderr: '' };
      } catch (e) {
        return { status: (e as { status: number }).status, stderr: String((e as { stderr: Buffer }).stderr) };
      }
    })();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not an absolute path');
  });

  it('the installed command runs as root, and maps by record id', async () => {
    const r = await run(normface, ['--data', data, 'list']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`id ${personId}`);
  });

  /** Makes `path` another user's (or world-writable), runs the command, and checks it was refused and nothing was changed. */
  async function refusedWhen(path: string, change: 'chown' | 'chmod', what: RegExp): Promise<void> {
    const before = lstatSync(path);
    if (change === 'chown') chownSync(path, NOBODY, before.gid);
    else chmodSync(path, (before.mode & 0o7777) | 0o002);
    const changed = lstatSync(path);
    try {
      const r = await run(normface, ['--data', data, 'list']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Refusing to run as root/);
      expect(r.stderr).toMatch(what);
      const after = lstatSync(path);
      expect({ uid: after.uid, mode: after.mode }).toEqual({ uid: changed.uid, mode: changed.mode });
    } finally {
      chownSync(path, before.uid, before.gid);
      chmodSync(path, before.mode & 0o7777);
    }
  }

  it('refuses a command file, a module, a data folder and a key another user can change, changing nothing', async () => {
    await refusedWhen(join(prefix, 'app', 'out', 'cli', 'normface-main.js'), 'chown', /normface-main\.js \(the normface command\) belongs to uid 65534/);
    await refusedWhen(join(prefix, 'app', 'node_modules', 'better-sqlite3', 'lib', 'database.js'), 'chmod', /database\.js \(the command's modules\) can be written by users other than root/);
    await refusedWhen(data, 'chown', /\(the data folder\) belongs to uid 65534/);
    await refusedWhen(join(data, 'normface.key'), 'chown', /normface\.key \(the database key\) belongs to uid 65534/);
    // Still works once put back.
    expect((await run(normface, ['--data', data, 'list'])).status).toBe(0);
  }, 120_000);

  it('refuses a key that is a link, and neither chmods nor reads its target', async () => {
    const key = join(data, 'normface.key');
    const saved = readFileSync(key);
    const target = join(dir, 'planted-key');
    writeFileSync(target, saved, { mode: 0o644 });
    rmSync(key);
    symlinkSync(target, key);
    try {
      const r = await run(normface, ['--data', data, 'list']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/normface\.key \(the database key\) is a symbolic link/);
      expect(statSync(target).mode & 0o777).toBe(0o644);
    } finally {
      rmSync(key);
      writeFileSync(key, saved, { mode: 0o600 });
    }
  });

  describe('when not to look: falls through before the data or the camera are opened', () => {
    const unopened = join(dir, 'never-opened');
    const loginConfig = (extra: string, user = `user alice = ${personId}`) => {
      writeFileSync(config, `data = ${unopened}\ncamera = /dev/video-none\ntimeout = 2\n${extra}\n${user}\n`, { mode: 0o644 });
    };
    const verify = (env: NodeJS.ProcessEnv = {}) => run(normface, ['verify', '--config', config, 'alice'], env);

    it('PAM_RHOST set, or the sshd service: fall-through (exit 2), no camera, no data folder', async () => {
      loginConfig('');
      const r = await verify({ PAM_RHOST: '203.0.113.7', PAM_SERVICE: 'sudo' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('Face login is not used for a remote login: it comes from 203.0.113.7 (PAM_RHOST); use the password.');
      expect(r.stderr).not.toMatch(/camera/i);
      const ssh = await verify({ PAM_SERVICE: 'sshd' });
      expect(ssh.status).toBe(2);
      expect(ssh.stderr).toContain('the PAM service sshd serves remote logins');
      expect(existsSync(unopened)).toBe(false);
    });

    it('disabled = true: fall-through for everyone', async () => {
      loginConfig('disabled = true');
      const r = await verify();
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('Face login is switched off (disabled = true in');
      expect(existsSync(unopened)).toBe(false);
    });

    it('a mapping to a name instead of a record id is refused with a sentence', async () => {
      writeFileSync(config, `data = ${data}\ncamera = /dev/video-none\nuser alice = Alice\n`, { mode: 0o644 });
      const r = await verify();
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`maps alice to "Alice", a name, not a record id: anyone can be enrolled under a name. Write the id instead (\`normface list\` prints it): user alice = ${personId}.`);
      writeFileSync(config, `data = ${data}\nuser alice = Alice Martin\n`, { mode: 0o644 });
      const spaced = await verify();
      expect(spaced.status).toBe(2);
      expect(spaced.stderr).toMatch(/line 2: user alice must name a person's record id, not "Alice Martin"/);
    });

    it('a configuration another user can write is refused', async () => {
      loginConfig('');
      chmodSync(config, 0o666);
      const r = await verify();
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/pam\.conf \(the login configuration\) can be written by users other than root/);
      chmodSync(config, 0o644);
      mkdirSync(unopened, { recursive: true });
      rmSync(unopened, { recursive: true });
    });
  });

  it('from a checkout another user owns, the command refuses to run as root at all', async () => {
    const checkoutCli = join(repoRoot, 'out', 'cli', 'normface.js');
    const before = lstatSync(checkoutCli);
    chownSync(checkoutCli, NOBODY, before.gid);
    try {
      const r = await runCli(['--data', data, 'list']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/normface\.js \(the normface command\) belongs to uid 65534/);
    } finally {
      chownSync(checkoutCli, before.uid, before.gid);
    }
  });
});
