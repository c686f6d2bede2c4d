// Time that cannot be wound: the app's service runs under libfaketime and the test moves its wall
// clock (+16 min, -1 day, -2 h) between calls, as `date -s` would (the machine's monotonic and boot
// clocks do not move). A lock lasts its minutes of elapsed time, in this process and in another one
// (the command at a login), and the kiosk greets as it should. The expiry itself is measured with an
// injected steady clock, so no test waits 15 minutes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Args, type Client, type Envelope, type LoginEvidenceArgs } from '../../core/contract/api';
import { calibrationFile } from '../../electron/services/app/calibration';
import { createAppService } from '../../electron/services/app/service';
import type { ClockStamp, SteadyClock } from '../../electron/services/app/steadyClock';
import { fileKeyring } from '../../electron/services/store/index';
import { bundleChild } from '../support/crash-child';
import { clientsOf, personTemplates, tempDataDir, writeDecisionCalibration } from '../support/apiFixtures';
import { loginEvidence } from '../support/loginEvidence';
import { repoRoot, skipReason, titled } from '../support/shared';
import { visitEvidence } from '../support/visitEvidence';

const FAKETIME_LIB = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1'].find((p) => existsSync(p));
const skip = skipReason(FAKETIME_LIB === undefined && 'libfaketime is not installed (apt-get install faketime)', process.platform !== 'linux' && 'the boot clock is read on Linux only');

const [a1, a2, a3, a4, a5] = personTemplates(201, 5) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
const [b1] = personTemplates(202, 1) as [Float32Array];
const enrolment = [a1, a2].map((v) => ({ vector: Array.from(v), quality: { score: 0.9 }, source: 'photo' as const }));
// The clients below fetch each attempt's challenge themselves, as the screens do.
const attempt = (id: string, probe: Float32Array) => ({ identityId: id, evidence: loginEvidence([probe]) as unknown as LoginEvidenceArgs }) as Args<'login'>;
const visit = () => ({ evidence: JSON.parse(JSON.stringify(visitEvidence([a3, a4, a5]))) as LoginEvidenceArgs }) as Args<'checkins.visit'>;

/** The service in a child process under libfaketime, reading its offset from `offsetFile` at every call. */
async function underFaketime(child: string, dataDir: string, calibrationPath: string, offsetFile: string): Promise<{ api: Client; proc: ChildProcessWithoutNullStreams }> {
  const proc = spawn(process.execPath, [child, dataDir, calibrationPath], {
    env: {
      ...process.env,
      NODE_PATH: join(repoRoot, 'node_modules'),
      LD_PRELOAD: FAKETIME_LIB,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_NO_CACHE: '1',
      // Setting the date moves only the wall clock; the monotonic and boot clocks go on.
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
  });
  const waiting = new Map<number, (reply: Envelope<unknown>) => void>();
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line === 'ready') return ready();
    const { id, reply } = JSON.parse(line) as { id: number; reply: Envelope<unknown> };
    waiting.get(id)?.(reply);
  });
  let next = 1;
  const api = createClient((call, args) => new Promise((resolve) => {
    const id = next++;
    waiting.set(id, resolve);
    proc.stdin.write(`${JSON.stringify({ id, call, args }, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v))}\n`);
  }));
  await started;
  return { api, proc };
}

describe.skipIf(skip)(titled('a wall clock moved under the running app (libfaketime)', skip), () => {
  const dir = tempDataDir('clock');
  const data = join(dir, 'data');
  const offset = join(dir, 'faketime-offset');
  const child = join(dir, 'clock-child.cjs');
  let calibration = '';
  const running: ChildProcessWithoutNullStreams[] = [];
  const start = async () => {
    const s = await underFaketime(child, data, calibration, offset);
    running.push(s.proc);
    return s.api;
  };

  beforeAll(async () => {
    await bundleChild('test/support/clock-child.ts', child);
    calibration = writeDecisionCalibration(dir);
    writeFileSync(offset, '+0');
  });
  afterAll(() => {
    for (const p of running) p.kill();
  });

  it('a lock holds when the clock jumps 16 min ahead or a day back, here and in another process, and says its real minutes', async () => {
    writeFileSync(offset, '+0');
    const api = await start();
    const ada = await api.identities.create({ name: 'Ada', templates: enrolment });
    await api.settings.set({ lockoutAttempts: 2, lockoutMinutes: 15 });
    await api.login(attempt(ada.id, b1));
    expect((await api.login(attempt(ada.id, b1))).lockedUntil).not.toBeNull();

    writeFileSync(offset, '+16m');
    const ahead = await api.login(attempt(ada.id, a3));
    expect(ahead).toMatchObject({ accepted: false, reason: 'locked' });
    expect(ahead.message).toMatch(/try again in 15 min/);
    // The command at a login is another process, started under the moved clock.
    const other = await start();
    expect(await other.login(attempt(ada.id, a3))).toMatchObject({ accepted: false, reason: 'locked' });

    writeFileSync(offset, '-1d');
    const back = await api.login(attempt(ada.id, a3));
    expect(back).toMatchObject({ accepted: false, reason: 'locked' });
    expect(back.message).toMatch(/try again in 15 min/);
    expect(back.lockedUntil! - Date.now() + 86_400_000).toBeLessThanOrEqual(15 * 60_000 + 5_000);
    writeFileSync(offset, '+0');
  });

  it('the kiosk greets once, says "already checked in" for the window of real time, and flags check-ins stamped ahead', async () => {
    writeFileSync(offset, '+0');
    const api = await start();
    await api.identities.create({ name: 'Bea', templates: [a3, a4].map((v) => ({ vector: Array.from(v), quality: { score: 0.9 }, source: 'photo' as const })) });
    await api.settings.set({ checkinLiveness: 'off', repeatGreetingMinutes: 10 });
    expect((await api.checkins.visit(visit())).outcome).toBe('greeting');
    writeFileSync(offset, '+16m');
    const later = await api.checkins.visit(visit());
    expect(later.checkIn!.at - Date.now(), 'the child runs 16 min ahead').toBeGreaterThan(15 * 60_000);
    expect(later.outcome, '16 min ahead, seconds later: already checked in').toBe('repeat');

    // Two hours back: a fresh process (the app restarted) greets, since the check-ins it finds are
    // stamped ahead of its clock; it flags them, and greets no one twice within the window itself.
    writeFileSync(offset, '-2h');
    const restarted = await start();
    expect((await restarted.checkins.visit(visit())).outcome).toBe('greeting');
    expect((await restarted.checkins.visit(visit())).outcome).toBe('repeat');
    const log = await restarted.checkins.list({});
    expect(log.filter((c) => c.stampedAhead === true)).toHaveLength(2);
    expect((await restarted.app.info({})).storeProblems.map((p) => p.kind)).toContain('clock-behind-log');
    writeFileSync(offset, '+0');
  });
});

/** A steady clock the test advances by hand, with a wall clock it can set anywhere. */
function handClock(): SteadyClock & { advance(ms: number): void; setWall(ms: number): void } {
  let steady = 0;
  let wall = Date.now();
  return {
    now: () => wall,
    stamp: (): ClockStamp => ({ at: wall, boot: null, up: null, process: 'test', mono: steady }),
    elapsedSince: (s) => Math.max(0, steady - s.mono),
    advance(ms) {
      steady += ms;
      wall += ms;
    },
    setWall(ms) {
      wall = ms;
    },
  };
}

describe('a lock lasts its minutes of elapsed time', () => {
  it('ends after 15 min measured on the steady clock, not before, whatever the wall clock says', async () => {
    const dir = tempDataDir('clock-hand');
    const clock = handClock();
    const service = await createAppService({
      dataDir: join(dir, 'data'),
      keyring: fileKeyring(join(dir, 'data', 'normface.key')),
      calibration: calibrationFile(writeDecisionCalibration(dir)),
      training: null,
      about: { name: 'NormFace clock test', version: '0', host: 'browser', models: [], backendHint: 'wasm' },
      modelId: 'clock-test',
      clock,
      log: () => {},
    });
    const { api } = await clientsOf(service);
    try {
      const ada = await api.identities.create({ name: 'Ada', templates: enrolment });
      await api.settings.set({ lockoutAttempts: 1, lockoutMinutes: 15 });
      expect((await api.login(attempt(ada.id, b1))).lockedUntil).not.toBeNull();
      clock.setWall(clock.now() + 3_600_000);
      clock.advance(14 * 60_000);
      expect((await api.login(attempt(ada.id, a3))).reason).toBe('locked');
      clock.setWall(clock.now() - 86_400_000);
      clock.advance(60_000 + 1);
      expect((await api.login(attempt(ada.id, a3))).accepted).toBe(true);
    } finally {
      service.close();
    }
  });
});
