// The camera scenarios of the desktop UI in real Chromium against the real browser host, with
// Chromium's fake camera playing the clips in ../shared/media (one launch per clip): person A is
// enrolled through the wizard; then A logs in and is greeted at check-in, while person B fails the
// login as A and is "not recognised" at check-in, with nothing logged for A; last, the whole chain
// runs once on WebGPU (SwiftShader here: correct, slow, never timed).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckIn, Envelope, IdentitySummary, Verdict } from '../../core/contract/api';
import { tempDataDir, writeCalibration } from '../support/apiFixtures';
import { screenshotPath, signInOperator, startAppHost, type AppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium';
import { hasMedia, mediaRoot, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasMedia && noMediaReason, !hasChromium && noChromiumReason);
/** Model loading plus a few seconds of a 15 fps clip on WASM, on two shared cores. */
const CAMERA_TIMEOUT = 150_000;
const NAME = 'Person A';

function value<T>(reply: Envelope<unknown>): T {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}

describe.skipIf(skip)(titled('camera scenarios: enroll A, then A and B at login and check-in', skip), () => {
  let app: AppHost;
  const call = async <T>(name: string, args: unknown = {}) => value<T>(await app.operator(name, args));
  const personA = async () => (await call<IdentitySummary[]>('identities.list', {})).find((i) => i.name === NAME);
  const checkinsOfA = async () => {
    const a = await personA();
    return (await call<CheckIn[]>('checkins.list', {})).filter((c) => c.identityId === a?.id);
  };

  /** One Chromium per clip; the page's console errors are shown to help when a step times out. */
  async function withClip(clip: string, run: (page: Page) => Promise<void>, webgpu = false): Promise<void> {
    const chromium = await launchChromium({ fakeCamera: join(mediaRoot, `${clip}.mjpeg`), webgpu });
    try {
      const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
      page.on('pageerror', (e) => console.error(`[${clip}] page error:`, e.message));
      await run(page);
    } finally {
      await chromium.close();
    }
  }

  async function login(page: Page, screenshot?: string): Promise<Verdict & { shown: string }> {
    await page.goto(`${app.url}#/login`);
    await page.getByLabel('Your name').fill(NAME);
    await page.getByRole('button', { name: 'Start' }).click();
    if (screenshot) {
      // A few analysed frames (box drawn), unless the verdict came first.
      const working = page.locator('[data-testid=camera]:not([data-frames="0"]):not([data-frames="1"])');
      await working.or(page.getByTestId('verdict')).first().waitFor({ timeout: CAMERA_TIMEOUT });
      await page.screenshot({ path: screenshotPath(screenshot), fullPage: true });
    }
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: CAMERA_TIMEOUT });
    const events = await call<{ kind: string; score: number | null; detail: Record<string, unknown> }[]>('events.list', { kind: 'verify', limit: 1 });
    const last = events[0];
    return {
      accepted: (await verdict.getAttribute('data-accepted')) === 'true',
      reason: (await verdict.getAttribute('data-reason')) as Verdict['reason'],
      score: last?.score ?? null,
      threshold: Number(last?.detail.threshold),
      shown: `${await verdict.innerText()} [sent: passive liveness ${await verdict.getAttribute('data-passive')}, challenge passed ${await verdict.getAttribute('data-challenge')}]`,
    } as Verdict & { shown: string };
  }

  async function kioskMessage(page: Page, kinds: string[]): Promise<{ kind: string; text: string }> {
    const message = page.getByTestId('kiosk-message');
    await page.locator(kinds.map((k) => `[data-testid=kiosk-message][data-kind=${k}]`).join(', ')).waitFor({ timeout: CAMERA_TIMEOUT });
    return { kind: (await message.getAttribute('data-kind')) ?? '', text: await message.innerText() };
  }

  beforeAll(async () => {
    const installed = join(repoRoot, 'models', 'calibration.json');
    app = await startAppHost({ calibrationPath: existsSync(installed) ? installed : writeCalibration(tempDataDir('ui-camera-cal')) });
    await call('settings.set', { backend: 'wasm', checkinLiveness: 'passive', repeatGreetingMinutes: 30 });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('enrolls person A through the wizard from person-a-enroll', async () => {
    await withClip('person-a-enroll', async (page) => {
      await signInOperator(page, app);
      await page.goto(`${app.url}#/enroll`);
      await page.getByLabel('Name', { exact: true }).fill(NAME);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByTestId('sample').nth(4).waitFor({ timeout: CAMERA_TIMEOUT });
      await page.getByRole('button', { name: 'Continue with 5 samples' }).click();
      await page.getByTestId('duplicate-none').waitFor();
      await page.getByRole('button', { name: `Save ${NAME}` }).click();
      await page.getByTestId('enroll-done').waitFor();
    });
    const a = await personA();
    expect(a?.templateCount).toBe(5);
  });

  it('with person-a-live: login as A succeeds, check-in greets A once, and a second visit is not greeted again', async () => {
    expect(await personA(), 'person A must be enrolled by the previous test').toBeDefined();
    await withClip('person-a-live', async (page) => {
      const verdict = await login(page, 'login-camera');
      await page.screenshot({ path: screenshotPath('login'), fullPage: true });
      expect(verdict.accepted, verdict.shown).toBe(true);
      expect(verdict.shown).toContain(`Logged in as ${NAME}`);
      expect(verdict.shown).toMatch(/Security level: FMR 1e-4/);
      expect(verdict.score!).toBeGreaterThanOrEqual(verdict.threshold);

      // The check-in screen is an operator's (the locked kiosk is operators-kiosk.test.ts).
      await signInOperator(page, app);
      await page.goto(`${app.url}#/kiosk`);
      const greeting = await kioskMessage(page, ['greeting', 'repeat']);
      await page.screenshot({ path: screenshotPath('kiosk'), fullPage: true });
      expect(greeting.kind).toBe('greeting');
      expect(greeting.text).toContain(`Welcome, ${NAME}!`);
      expect(greeting.text).toMatch(/Checked in at \d{1,2}:\d{2}/);
      // The host's COOP/COEP reach the worker: WASM may use threads.
      expect(await page.getByTestId('camera').getAttribute('data-isolated')).toBe('true');
      expect(await page.getByTestId('camera-status').innerText()).toMatch(/WASM \(\d+ threads?\)/);
      expect(await checkinsOfA()).toHaveLength(1);

      // A new visit within the window (page reloaded: a new socket, so the operator signs in again): recognised, but not greeted again.
      await page.reload();
      await signInOperator(page, app);
      await page.goto(`${app.url}#/kiosk`);
      const again = await kioskMessage(page, ['greeting', 'repeat']);
      expect(again.kind).toBe('repeat');
      expect(again.text).toContain('already checked in');
    });
  }, CAMERA_TIMEOUT * 2);

  it('with person-b-live: login as A fails, check-in says "not recognised" and logs nothing for A; a camera unplugged or denied says so and comes back', async () => {
    const before = await checkinsOfA();
    const allBefore = (await call<CheckIn[]>('checkins.list', {})).length;
    await withClip('person-b-live', async (page) => {
      // Lets the test refuse the camera for the next N getUserMedia calls, as a denied permission does.
      await page.addInitScript({
        content: `{
          const media = navigator.mediaDevices;
          const open = media.getUserMedia.bind(media);
          media.getUserMedia = async (constraints) => {
            const left = Number(sessionStorage.getItem('denyCamera') ?? '0');
            if (left > 0) {
              sessionStorage.setItem('denyCamera', String(left - 1));
              throw new DOMException('Permission denied', 'NotAllowedError');
            }
            return open(constraints);
          };
        }`,
      });
      const verdict = await login(page);
      await page.screenshot({ path: screenshotPath('login-rejected'), fullPage: true });
      expect(verdict.accepted).toBe(false);
      // B is refused for the face itself, whatever the liveness step said.
      expect(verdict.score!).toBeLessThan(verdict.threshold);
      expect(verdict.shown).toMatch(/attempts? left before this identity is locked/);

      await signInOperator(page, app);
      await page.goto(`${app.url}#/kiosk`);
      const message = await kioskMessage(page, ['stranger', 'greeting', 'repeat']);
      await page.screenshot({ path: screenshotPath('kiosk-stranger'), fullPage: true });
      expect(message.kind).toBe('stranger');
      expect(message.text).toContain('Not recognised');
      // Keep B in view a little longer: still nothing may be logged.
      const frames = async () => Number(await page.getByTestId('camera').getAttribute('data-frames'));
      const seen = await frames();
      await expect.poll(frames, { timeout: CAMERA_TIMEOUT, interval: 250 }).toBeGreaterThanOrEqual(seen + 5);
      expect((await page.getByTestId('kiosk-message').getAttribute('data-kind'))).toBe('stranger');

      // Unplugged mid-session: the track ends; the view says so, then reopens the camera by itself.
      const error = page.getByTestId('camera-error');
      await page.evaluate(`for (const t of document.querySelector('video').srcObject.getVideoTracks()) t.dispatchEvent(new Event('ended'))`);
      await error.waitFor();
      expect(await error.innerText()).toContain('The camera was disconnected. Plug it back in');
      await page.screenshot({ path: screenshotPath('camera-unplugged'), fullPage: true });
      await error.waitFor({ state: 'detached', timeout: 20_000 });
      const resumed = await frames();
      await expect.poll(frames, { timeout: CAMERA_TIMEOUT, interval: 250 }).toBeGreaterThan(resumed);

      // Denied twice: the view says how to allow it, retries, and starts once allowed.
      await page.evaluate(`sessionStorage.setItem('denyCamera', '2')`);
      await page.reload();
      await signInOperator(page, app);
      await page.goto(`${app.url}#/kiosk`);
      await error.waitFor();
      expect(await error.innerText()).toContain('Camera access was denied. Allow the camera');
      await error.waitFor({ state: 'detached', timeout: 20_000 });
      await page.locator('[data-testid=camera]:not([data-frames="0"])').waitFor({ timeout: CAMERA_TIMEOUT });
    });
    expect(await checkinsOfA()).toEqual(before);
    expect(await call<CheckIn[]>('checkins.list', {})).toHaveLength(allBefore);
    // Login, check-in, unplug and two denials, each waiting on camera frames: more than the default on a loaded machine.
  }, CAMERA_TIMEOUT * 2);

  it('greets A at check-in with inference on WebGPU end to end (SwiftShader: one frame is enough)', async () => {
    // One good frame decides: no passive-liveness frames to gather, and a fresh greeting window.
    await call('settings.set', { backend: 'webgpu', checkinLiveness: 'off', repeatGreetingMinutes: 0 });
    try {
      await withClip(
        'person-a-live',
        async (page) => {
          await signInOperator(page, app);
          await page.goto(`${app.url}#/kiosk`);
          const greeting = await kioskMessage(page, ['greeting', 'stranger']);
          expect(await page.getByTestId('camera').getAttribute('data-backend')).toBe('webgpu');
          expect(await page.getByTestId('camera-status').innerText()).toContain('WebGPU');
          expect(greeting.kind).toBe('greeting');
          expect(greeting.text).toContain(`Welcome, ${NAME}!`);
        },
        true,
      );
    } finally {
      await call('settings.set', { backend: 'wasm', checkinLiveness: 'passive', repeatGreetingMinutes: 30 });
    }
  }, 400_000);
});
