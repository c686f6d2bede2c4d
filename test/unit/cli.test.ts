// The `normface` command as a person or a script runs it: a child process on a real data folder, the
// real models on LFW photos and the webcam clips, and the app's own service on the same database at the
// same time (it sees what the command enrolled, and the lockout is one for both).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import type { AppService } from '../../electron/services/app/service';
import { eventKinds, type Client } from '../../core/contract/api';
import { eventInWords } from '../../core/contract/eventWords';
import { parseLoginConfig, personFor } from '../../electron/cli/pamConfig';
import { eventsCsv } from '../../electron/services/app/csv';
import { openApp, tempDataDir } from '../support/apiFixtures';
import { buildCli, clip, enrollmentFrames, runCli, stillPhotoClip } from '../support/cli';
import { hasLfw, hasMedia, lfwImage, noLfwReason, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasLfw && noLfwReason, !hasMedia && noMediaReason);


describe('login configuration', () => {
  it('maps system users to people and refuses what it does not know, naming the line', () => {
    const c = parseLoginConfig('# comment\ndata = /var/lib/normface\ntimeout = 4\nlevel = 1e-5\nuser alice = 3f2b8c1e-7d4a-4e1b-9c55-0a6f1d2e3b4c\n', '/etc/normface/pam.conf');
    expect(c.data).toBe('/var/lib/normface');
    expect(c.level).toBe('1e-5');
    expect(c).toMatchObject({ disabled: false, abortIfRemote: true, abortIfLidClosed: true, darkThreshold: 60 });
    expect(personFor(c, 'alice')).toBe('3f2b8c1e-7d4a-4e1b-9c55-0a6f1d2e3b4c');
    expect(() => parseLoginConfig('user alice = Alice Martin\n', 'f.conf')).toThrow('f.conf line 1: user alice must name a person\'s record id, not "Alice Martin"');
    expect(parseLoginConfig('disabled = yes\ndark_threshold = 80\nabort_if_remote = false\n', 'f.conf')).toMatchObject({ disabled: true, darkThreshold: 80, abortIfRemote: false });
    expect(() => parseLoginConfig('dark_threshold = 120\n', 'f.conf')).toThrow('dark_threshold is a percentage from 0 to 100');
    expect(() => personFor(c, 'bob')).toThrow(/bob has no face login .* use the password/);
    expect(() => parseLoginConfig('camra = /dev/video0\n', 'f.conf')).toThrow('f.conf line 1: unknown setting camra');
    expect(() => parseLoginConfig('level = 0.5\n', 'f.conf')).toThrow('level must be one of');
  });

  it('writes the event log as CSV a spreadsheet will not run as formulas', () => {
    const csv = eventsCsv([{ id: '1', at: 0, kind: 'verify', identityId: 'x', score: 0.5, decision: 'reject', name: '=HYPERLINK("a")', detail: { reason: 'no-match' } }]);
    expect(csv).toBe('time,kind,identity_id,name,decision,score,detail\r\n1970-01-01T00:00:00.000Z,verify,x,"\'=HYPERLINK(""a"")",reject,0.5000,"{""reason"":""no-match""}"\r\n');
  });

  it('names each event kind in words, and a drift check logged as an identification before migration 0008 as a drift check', () => {
    expect(new Set(eventKinds.map((kind) => eventInWords({ kind, detail: {} }))).size).toBe(eventKinds.length);
    expect(eventInWords({ kind: 'drift-check', detail: { warn: true } })).toBe('calibration drift check');
    expect(eventInWords({ kind: 'identify', detail: { action: 'calibration-check', warn: true } })).toBe('calibration drift check');
    expect(eventInWords({ kind: 'identify', detail: {} })).toBe('identification');
    // The CSV keeps the kind itself, for scripts.
    expect(eventsCsv([{ id: '2', at: 0, kind: 'drift-check', identityId: null, score: null, decision: null, name: null, detail: { warn: true } }]).split('\r\n')[1])
      .toBe('1970-01-01T00:00:00.000Z,drift-check,,,,,"{""warn"":true}"');
  });
});

describe.skipIf(skip)(titled('normface command (real models, real photos and clips)', skip), () => {
  const dir = tempDataDir('cli');
  const data = join(dir, 'data');
  const photos = join(dir, 'photos');
  let app: { service: AppService; api: Client };
  const normface = (...args: string[]) => runCli(['--data', data, ...args]);

  beforeAll(async () => {
    buildCli();
    mkdirSync(photos, { recursive: true });
    for (let i = 1; i <= 5; i++) copyFileSync(lfwImage('Abdullah_Gul', i), join(photos, `gul-${i}.jpg`));
    // Cut short: the JPEG has no end-of-image marker.
    writeFileSync(join(photos, 'gul-broken.jpg'), (await import('node:fs')).readFileSync(lfwImage('Abdullah_Gul', 6)).subarray(0, 4000));
    const sky = new PNG({ width: 160, height: 120 });
    for (let i = 0; i < sky.data.length; i += 4) sky.data.set([110, 160, 220, 255], i);
    writeFileSync(join(photos, 'sky.png'), PNG.sync.write(sky));
    enrollmentFrames(join(dir, 'person-a'));
    // The app is up before the command changes anything: it must notice on its own.
    app = await openApp(data, join(repoRoot, 'models', 'calibration.json'));
  });
  afterAll(() => app?.service.close());

  it('enrolls from a folder: one verdict per photo, the five good ones enrolled, the batch goes on', async () => {
    const r = await normface('enroll', 'Abdullah Gul', '--photos', photos);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => /^\[\d\/7\] ok /.test(l))).toHaveLength(5);
    expect(lines.find((l) => l.includes('gul-broken.jpg'))).toMatch(/skip .*truncated JPEG/);
    expect(lines.find((l) => l.includes('sky.png'))).toMatch(/skip .*No face was found/);
    expect(lines.at(-1)).toBe('Enrolled Abdullah Gul: 5 photos used, 2 skipped (5 templates in all).');
    const listed = JSON.parse((await normface('--json', 'list')).stdout) as { identities: { name: string; templateCount: number }[] };
    expect(listed.identities).toEqual([expect.objectContaining({ name: 'Abdullah Gul', templateCount: 5 })]);
  });

  it('identifies a sixth photo of him, and not a stranger (open set, exit 1)', async () => {
    const found = await normface('--json', 'identify', '--photo', lfwImage('Abdullah_Gul', 7));
    expect(found.status, found.stderr).toBe(0);
    expect((JSON.parse(found.stdout) as { recognised: { name: string } | null }).recognised?.name).toBe('Abdullah Gul');
    const stranger = await normface('identify', '--photo', lfwImage('Alvaro_Uribe', 1));
    expect(stranger.status).toBe(1);
    expect(stranger.stdout).toMatch(/^Not recognised/);
  });

  it('the app, open the whole time, sees the people the command enrolled', async () => {
    const r = await normface('enroll', 'Person A', '--photos', join(dir, 'person-a'));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const names = (await app.api.identities.list({})).map((i) => i.name).sort();
    expect(names).toEqual(['Abdullah Gul', 'Person A']);
    expect(app.service.matcher.size).toBe(10);
  });

  it('verify: A at the camera is accepted (exit 0), B is refused (exit 1), a still photo of A is refused for liveness (exit 1)', async () => {
    // Three failures in a row lock; the count is the one both processes share.
    await app.api.settings.set({ lockoutAttempts: 3 });
    // A's clip shows no blink the eye model sees; its first head turn and back ends at 20.5 s.
    const a = await normface('verify', 'Person A', '--video', clip('person-a-live'), '--timeout', '30');
    expect(a.status, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^accepted: Welcome, Person A\. \(cosine 0\.\d+, threshold 0\.\d+\)\n$/);
    const b = await normface('--json', 'verify', 'Person A', '--video', clip('person-b-live'));
    expect(b.status, b.stderr).toBe(1);
    // B is refused; in the default 10 s of B's clip no blink the liveness rule counts (closed on two
    // consecutive frames, the face steady around them) may be seen, and then it is refused for that first.
    const bVerdict = JSON.parse(b.stdout) as { accepted: boolean; reason: string; attemptsLeft: number };
    expect(bVerdict).toMatchObject({ accepted: false, attemptsLeft: 2 });
    expect(['no-match', 'liveness-failed']).toContain(bVerdict.reason);
    const still = await normface('verify', 'Person A', '--video', stillPhotoClip(dir), '--timeout', '4');
    expect(still.status, still.stderr).toBe(1);
    expect(still.stdout).toMatch(/^refused \(liveness-failed\): /);
  }, 300_000);

  it('the lockout is one for the app and the command: failures add up across both, and the command then exits 2', async () => {
    const person = (await app.api.identities.list({})).find((i) => i.name === 'Person A')!;
    // The app's own failed attempt (a frame with no live challenge), the third in a row.
    const unit = new Float32Array(512).fill(1 / Math.sqrt(512));
    const frame = { at: 0, faces: 1, face: { landmarks: Array.from({ length: 136 }, (_, i) => 100 + i), yaw: 0, pitch: 0, roll: 0, interocular: 60, faceHeight: 150, sharpness: 200, brightness: 0.5, template: unit } };
    const inApp = await app.api.login({ identityId: person.id, challenge: (await app.api.attempt.challenge()).challenge, evidence: { frames: [frame] } });
    expect(inApp).toMatchObject({ accepted: false, reason: 'liveness-failed' });
    expect(inApp.lockedUntil).not.toBeNull();
    const locked = await normface('verify', 'Person A', '--video', clip('person-a-live'));
    expect(locked.status).toBe(2);
    expect(locked.stderr).toMatch(/Person A is locked after too many failed attempts; try again in \d+ min\./);
    const log = (await app.api.events.list({ kind: 'verify', identityId: person.id })).map((e) => e.decision);
    expect(log).toEqual(['locked', 'reject', 'reject', 'reject', 'accept']);
  });

  it('says what to do when the video, the person or the photo is missing (exit 2)', async () => {
    const noClip = await normface('verify', 'Person A', '--video', join(dir, 'nope.mp4'));
    expect(noClip.status).toBe(2);
    expect(noClip.stderr).toBe(`normface: The video file ${join(dir, 'nope.mp4')} does not exist; check the path.\n`);
    const noCamera = await normface('verify', 'Person A', '--camera', '/dev/video-none');
    expect(noCamera.status).toBe(2);
    expect(noCamera.stderr).toContain('There is no camera at /dev/video-none');
    const nobody = await normface('verify', 'Nobody', '--video', clip('person-a-live'));
    expect(nobody.status).toBe(2);
    expect(nobody.stderr).toContain('No one named Nobody is enrolled');
    const noVideo = await normface('identify', '--video', join(dir, 'nope.mp4'));
    expect(noVideo.status).toBe(2);
    expect(noVideo.stderr).toContain(`The video file ${join(dir, 'nope.mp4')} does not exist; check the path.`);
    const noPerson = await normface('rename', 'Nobody', 'Somebody');
    expect(noPerson.status).toBe(2);
    expect(noPerson.stderr).toContain('No one named Nobody is enrolled');
    const badOption = await normface('identify', '--photo', 'x.jpg', '--level', '0.5');
    expect(badOption.status).toBe(2);
  });

  it('renames and exports the log with every enrolment in it', async () => {
    expect((await normface('rename', 'Abdullah Gul', 'A. Gul')).status).toBe(0);
    const csv = await normface('export-log', '--csv');
    expect(csv.status).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('time,kind,identity_id,name,decision,score,detail');
    expect(csv.stdout.match(/,enroll,/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
