// The `normface` command as a person or a script runs it: a child process on a real data folder, the
// real models on LFW photos and the webcam clips, and the app's own service on the same database at the
// same time (it sees what the command enrolled, and the lockout is one for both).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { readAbout } from '../../electron/services/app/about';
import { calibrationFile } from '../../electron/services/app/calibration';
import { createDispatcher } from '../../electron/services/app/dispatch';
import { createAppService, type AppService } from '../../electron/services/app/service';
import { fileKeyring } from '../../electron/services/store/index';
import { createClient, type Client } from '../../core/contract/api';
import { parseLoginConfig, personFor } from '../../electron/cli/pamConfig';
import { eventsCsv } from '../../electron/cli/commands/export-log';
import { tempDataDir } from '../support/apiFixtures';
import { buildCli, enrollmentFrames, runCli } from '../support/cli';
import { hasLfw, hasMedia, lfwImage, noLfwReason, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasLfw && noLfwReason, !hasMedia && noMediaReason);

/** The app's service on the same folder, as Electron or the browser host opens it. */
async function openApp(dataDir: string): Promise<{ service: AppService; api: Client }> {
  const about = readAbout(repoRoot, join(repoRoot, 'models'));
  const service = await createAppService({
    dataDir,
    keyring: fileKeyring(join(dataDir, 'normface.key')),
    calibration: calibrationFile(join(repoRoot, 'models', 'calibration.json')),
    training: null,
    about: { name: about.name, version: about.version, host: 'browser', models: about.models, backendHint: 'wasm' },
    modelId: about.embedderModelId,
    log: () => {},
  });
  const dispatch = createDispatcher(service.handlers, () => {});
  return { service, api: createClient((call, args) => dispatch(call, args)) };
}

describe('login configuration', () => {
  it('maps system users to people and refuses what it does not know, naming the line', () => {
    const c = parseLoginConfig('# comment\ndata = /var/lib/normface\ntimeout = 4\nlevel = 1e-5\nuser alice = Alice Martin\n', '/etc/normface/pam.conf');
    expect(c.data).toBe('/var/lib/normface');
    expect(c.level).toBe('1e-5');
    expect(personFor(c, 'alice')).toBe('Alice Martin');
    expect(() => personFor(c, 'bob')).toThrow(/bob has no face login .* use the password/);
    expect(() => parseLoginConfig('camra = /dev/video0\n', 'f.conf')).toThrow('f.conf line 1: unknown setting camra');
    expect(() => parseLoginConfig('level = 0.5\n', 'f.conf')).toThrow('level must be one of');
  });

  it('writes the event log as CSV a spreadsheet will not run as formulas', () => {
    const csv = eventsCsv([{ id: '1', at: 0, kind: 'verify', identityId: 'x', score: 0.5, decision: 'reject', name: '=HYPERLINK("a")', detail: { reason: 'no-match' } }]);
    expect(csv).toBe('time,kind,identity_id,name,decision,score,detail\r\n1970-01-01T00:00:00.000Z,verify,x,"\'=HYPERLINK(""a"")",reject,0.5000,"{""reason"":""no-match""}"\r\n');
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
    app = await openApp(data);
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

  it('says what to do when the video, the person or the photo is missing (exit 2)', async () => {
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
