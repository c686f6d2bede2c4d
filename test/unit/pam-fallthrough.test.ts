// A face login that falls through to the password (issue 18) leaves one sealed entry in the event log,
// with its cause and PAM's user, service, tty and remote host, bounded and neutralised; the real command
// on a real store, as PAM runs it (a clean environment). Recording never turns a fall-through into
// anything else: a database held by another writer still gives exit 2, said on stderr.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInWords } from '../../core/contract/eventWords';
import type { AppEvent } from '../../core/contract/api';
import { boundedText, FALL_THROUGH_TEXT_MAX } from '../../electron/services/store/index';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { buildCli, ffmpegPath, runCliClean } from '../support/cli';
import { repoRoot } from '../support/shared';

const normface = runCliClean;

describe('fall-through entries in words', () => {
  it('keeps printable ASCII only, at most 64 characters, the cut marked', () => {
    expect(boundedText('pts/3')).toBe('pts/3');
    expect(boundedText('a\u001b[31mb\nc\u0000d')).toBe('a?[31mb?c?d');
    const long = boundedText('x'.repeat(10_000));
    expect(long).toHaveLength(FALL_THROUGH_TEXT_MAX);
    expect(long.endsWith('...')).toBe(true);
  });

  it('says why a login fell through, and names where it came from', () => {
    const words = (detail: Record<string, unknown>) => eventInWords({ kind: 'verify', detail });
    expect(words({ reason: 'fell-through', cause: 'remote', rhost: '203.0.113.7', user: 'alice', service: 'sudo', tty: 'pts/3' }))
      .toBe('login attempt fell through: remote login from 203.0.113.7 (user alice, service sudo, tty pts/3)');
    expect(words({ reason: 'fell-through', cause: 'disabled', user: 'alice' })).toBe('login attempt fell through: face login switched off (user alice)');
    expect(words({ reason: 'fell-through', cause: 'no-camera', code: 'no-camera' })).toBe('login attempt fell through: camera unavailable (no-camera)');
    expect(words({ reason: 'no-match' })).toBe('login attempt');
  });
});

describe('a fall-through is kept in the sealed event log (real command, real store)', () => {
  const dir = tempDataDir('fall-through');
  const data = join(dir, 'data');
  const config = join(dir, 'pam.conf');
  let personId = '';
  const writeConfig = (extra = '') => writeFileSync(config, `data = ${data}\ncamera = /dev/video-none\ntimeout = 2\nuser alice = ${personId}\n${extra}\n`, { mode: 0o644 });
  const verify = (env: NodeJS.ProcessEnv, user: string[] = ['alice']) => normface(['verify', '--config', config, ...user], env);
  const fallThroughs = async (): Promise<AppEvent[]> => {
    const r = await normface(['--data', data, '--json', 'export-log']);
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { events: AppEvent[] }).events.filter((e) => e.detail['reason'] === 'fell-through');
  };
  /** A clip of `seconds` of one colour, as the camera: black is too dark to look at, blue shows no face. */
  const colourClip = (colour: string, seconds = 2) => {
    const file = join(dir, `${colour}.mp4`);
    execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=${colour}:s=320x240:d=${seconds}:r=10`, '-pix_fmt', 'yuv420p', file]);
    return file;
  };

  beforeAll(async () => {
    buildCli();
    const app = await openApp(data, writeCalibration(dir));
    personId = (await app.api.identities.create({ name: 'Alice', templates: personTemplates(3, 2).map((v) => ({ vector: Array.from(v), quality: { score: 0.8, sharpness: 0.5 }, source: 'photo' as const })) })).id;
    app.service.close();
  }, 300_000);

  it('a remote login (PAM_RHOST): exit 2, the camera never opened, one sealed entry naming the host, user, service and tty', async () => {
    writeConfig();
    const r = await verify({ PAM_RHOST: '203.0.113.7', PAM_SERVICE: 'sudo', PAM_TTY: 'pts/3' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Face login is not used for a remote login: it comes from 203.0.113.7 (PAM_RHOST); use the password.');
    expect(r.stderr).not.toMatch(/camera|not in the event log/i);
    const [entry, ...more] = await fallThroughs();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ kind: 'verify', decision: null, identityId: personId, name: 'Alice', detail: { reason: 'fell-through', cause: 'remote', rhost: '203.0.113.7', user: 'alice', service: 'sudo', tty: 'pts/3' } });
    const text = await normface(['--data', data, 'export-log']);
    expect(text.stdout).toMatch(/login attempt fell through: remote login from 203\.0\.113\.7 \(user alice, service sudo, tty pts\/3\) {2}Alice\n/);
    // Sealed: the host is in no byte of the database, and the chain still verifies from its first entry.
    for (const file of readdirSync(data).filter((f) => f.startsWith('normface.db'))) {
      expect(readFileSync(join(data, file)).includes('203.0.113.7'), file).toBe(false);
    }
    expect((await normface(['--data', data, 'check-log'])).status).toBe(0);
  });

  it('disabled = true: exit 2 and an entry saying face login is off', async () => {
    writeConfig('disabled = true');
    const r = await verify({ PAM_SERVICE: 'login', PAM_TTY: 'tty2' });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/camera/i);
    expect((await fallThroughs()).at(-1)).toMatchObject({ identityId: personId, detail: { cause: 'disabled', user: 'alice', service: 'login', tty: 'tty2' } });
  });

  it('an unmapped system user: exit 2, an entry with no identity, before the data are opened for the attempt', async () => {
    writeConfig();
    const r = await verify({ PAM_USER: 'bob', PAM_SERVICE: 'sudo' }, []);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('The system user bob has no face login');
    const last = (await fallThroughs()).at(-1)!;
    expect(last).toMatchObject({ identityId: null, name: null, detail: { cause: 'not-mapped', user: 'bob', service: 'sudo' } });
    expect(eventInWords(last)).toBe('login attempt fell through: no face login for this user (user bob, service sudo)');
  });

  it('no camera, a clip with no face, a clip too dark: each exit 2 and an entry with its cause', async () => {
    writeConfig();
    const noCamera = await verify({ PAM_SERVICE: 'sudo' });
    expect(noCamera.status).toBe(2);
    expect(noCamera.stderr).toContain('There is no camera at /dev/video-none');
    expect((await fallThroughs()).at(-1)).toMatchObject({ detail: { cause: 'no-camera', code: 'no-camera' } });
    writeFileSync(config, `data = ${data}\nvideo = ${colourClip('skyblue')}\ntimeout = 2\nuser alice = ${personId}\n`, { mode: 0o644 });
    const noFace = await verify({ PAM_SERVICE: 'sudo' });
    expect(noFace.status, noFace.stderr).toBe(2);
    expect(noFace.stderr).toContain('No usable face was seen');
    expect((await fallThroughs()).at(-1)).toMatchObject({ detail: { cause: 'no-face' } });
    writeFileSync(config, `data = ${data}\nvideo = ${colourClip('black')}\ntimeout = 2\nuser alice = ${personId}\n`, { mode: 0o644 });
    const dark = await verify({ PAM_SERVICE: 'sudo' });
    expect(dark.status, dark.stderr).toBe(2);
    expect(dark.stderr).toContain('too dark');
    expect((await fallThroughs()).at(-1)).toMatchObject({ detail: { cause: 'dark' } });
  }, 120_000);

  it('PAM_RHOST and PAM_USER carrying a CSV formula, terminal escapes and 10 kB are stored bounded and exported neutralised', async () => {
    writeConfig();
    const rhost = `=cmd|' /C calc'!A0\u001b[2J\u001b]0;owned\u0007${'h'.repeat(10_000)}`;
    const user = `=HYPERLINK("http://evil")\u001b[31m\r\n2026-01-01 login attempt accepted${'u'.repeat(10_000)}`;
    const r = await verify({ PAM_RHOST: rhost, PAM_USER: user, PAM_SERVICE: 'sshd' }, []);
    expect(r.status).toBe(2);
    expect(r.stderr.length).toBeLessThan(2000);
    expect(r.stderr).not.toContain('\u001b');
    const last = (await fallThroughs()).at(-1)!;
    for (const key of ['rhost', 'user'] as const) {
      const v = last.detail[key] as string;
      expect(v.length).toBeLessThanOrEqual(FALL_THROUGH_TEXT_MAX);
      expect(v).toMatch(/^[\x20-\x7e]+$/);
    }
    expect(last.detail['rhost']).toMatch(/^=cmd\|' \/C calc'!A0\?\[2J\?\]0;owned\?h+\.\.\.$/);
    const csv = await normface(['--data', data, 'export-log', '--csv']);
    expect(csv.stdout).not.toContain('\u001b');
    // No cell a spreadsheet would run: every cell starting with = is quoted as text or inside the JSON detail.
    const row = csv.stdout.split('\r\n').filter((l) => l.includes('not-mapped')).at(-1)!;
    expect(row).not.toMatch(/(^|,)[=+@]/);
    const text = await normface(['--data', data, 'export-log']);
    expect(text.stdout).not.toContain('\u001b');
    const line = text.stdout.split('\n').filter((l) => l.includes('no face login for this user')).at(-1)!;
    expect(line.length).toBeLessThan(400);
    expect(text.stdout.split('\n').filter((l) => l.includes('accepted'))).toEqual([]);
  });

  describe('a database held by another writer', () => {
    let holder: ReturnType<typeof spawn> | null = null;
    afterAll(() => {
      holder?.stdin?.end();
    });

    it('still exits 2, says the entry was not kept, and the log is unchanged', async () => {
      writeConfig();
      const before = (await fallThroughs()).length;
      // A second process holds a write transaction (as the app saving an enrolment would) until told to stop.
      holder = spawn(process.execPath, ['-e', "const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('held'); process.stdin.resume(); process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });", join(data, 'normface.db')], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        holder!.stdout!.once('data', () => resolve());
        holder!.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
      });
      const r = await verify({ PAM_RHOST: '198.51.100.9' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('Face login is not used for a remote login');
      expect(r.stderr).toMatch(/this fall-through is not in the event log: .*in use by another copy of the app/);
      const exited = new Promise((resolve) => holder!.once('exit', resolve));
      holder.stdin!.end();
      await exited;
      holder = null;
      expect(await fallThroughs()).toHaveLength(before);
    });
  });
});
