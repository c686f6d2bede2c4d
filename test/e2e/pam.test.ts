// Linux login through PAM: a throwaway service in /etc/pam.d runs the shipped helper
// (build/pam/normface-pam.in) with pam_exec, pamtester authenticates against it, and a video file
// stands in for the camera. A's clip logs in; B's clip falls through to pam_deny (the password's place).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../support/apiFixtures';
import { buildCli, cliPath, clip, enrollmentFrames, runCli } from '../support/cli';
import { hasMedia, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

function hasPamtester(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v pamtester'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = skipReason(
  !root && 'PAM services can only be created by root',
  !existsSync('/etc/pam.d') && 'this system has no /etc/pam.d',
  !hasPamtester() && 'pamtester is not installed (apt-get install pamtester)',
  !hasMedia && noMediaReason,
);

const service = `normface-test-${process.pid}`;
const serviceFile = join('/etc/pam.d', service);
const user = 'normface-test-user';

function pamtester(): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    execFile('pamtester', ['-v', service, user, 'authenticate'], { timeout: 300_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout + stderr });
    });
  });
}

describe.skipIf(skip)(titled('PAM login with pamtester (throwaway service, a video as the camera)', skip), () => {
  const dir = tempDataDir('pam');
  const data = join(dir, 'data');
  const config = join(dir, 'pam.conf');
  let personId = '';
  const writeConfig = (video: string) => writeFileSync(config, `data = ${data}\nvideo = ${video}\ntimeout = 30\nuser ${user} = ${personId}\n`, { mode: 0o644 });

  beforeAll(async () => {
    buildCli();
    const enrolled = await runCli(['--data', data, 'enroll', 'Person A', '--photos', enrollmentFrames(join(dir, 'photos')), '--login-as', user]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    // Enrolment prints the line that maps the system user to the record id.
    personId = /user normface-test-user = ([\w-]+)$/m.exec(enrolled.stdout)?.[1] ?? '';
    expect(personId).not.toBe('');
    const helper = join(dir, 'normface-pam');
    const template = readFileSync(join(repoRoot, 'build', 'pam', 'normface-pam.in'), 'utf8');
    writeFileSync(helper, template.replace('@NODE@', process.execPath).replace('@NORMFACE@', cliPath).replace('@CONFIG@', config));
    chmodSync(helper, 0o755);
    // The documented line, then what stands for the password: pam_deny, so no prompt can hang the test.
    writeFileSync(serviceFile, `auth sufficient pam_exec.so quiet stdout ${helper}\nauth required pam_deny.so\naccount required pam_permit.so\n`);
  });
  afterAll(() => rmSync(serviceFile, { force: true }));

  it("logs person A in from A's live clip", async () => {
    writeConfig(clip('person-a-live'));
    const r = await pamtester();
    expect(r.output).toContain('accepted: Welcome, Person A.');
    expect(r.output).toContain('successfully authenticated');
    expect(r.status).toBe(0);
  }, 300_000);

  it("refuses B's clip for A's account: PAM falls through to the next line", async () => {
    writeConfig(clip('person-b-live'));
    const r = await pamtester();
    expect(r.output).toMatch(/refused \(no-match\)/);
    expect(r.output).not.toContain('successfully authenticated');
    expect(r.status).not.toBe(0);
  }, 300_000);

  it('an unmapped user and a configuration others can write are refused, not trusted', async () => {
    writeConfig(clip('person-a-live'));
    const unmapped = await runCli(['verify', '--config', config, 'someone-else']);
    expect(unmapped.status).toBe(2);
    expect(unmapped.stderr).toContain('has no face login');
    chmodSync(config, 0o666);
    const open = await runCli(['verify', '--config', config, user]);
    expect(open.status).toBe(2);
    expect(open.stderr).toContain('(the login configuration) can be written by users other than root');
  });
});
