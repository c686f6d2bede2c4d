// Operators and the locked check-in kiosk in real Chromium against the real browser host, from a first
// start (no operator yet): the page asks for the first operator, who (person A enrolled through the
// operator's own API connection, templates from the Node pipeline as pad-camera.test.ts makes them)
// starts the check-in kiosk. The kiosk then greets A (person-a-live), a second window is locked too and
// tells B (person-b-live) "Not recognised", management calls over a kiosk page's own socket are refused,
// and leaving takes an operator's sign-in: a wrong passphrase is refused with a sentence, repeated ones
// are throttled, the right one brings the navigation back.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge, CheckIn, Envelope, IdentitySummary, SessionStatus, Settings } from '../../core/contract/api';
import { tempDataDir, TEST_OPERATOR, writeCalibration } from '../support/apiFixtures';
import { screenshotPath, startAppHost, type AppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium';
import { mjpegFrames } from '../support/clips';
import { decodeImage } from '../support/decode';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasMedia && noMediaReason, !hasChromium && noChromiumReason);
/** Model loading plus a few frames of a 15 fps clip on WASM, on two shared cores. */
const CAMERA_TIMEOUT = 150_000;
const NAME = 'Person A';

function value<T>(reply: Envelope<unknown>): T {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}

describe.skipIf(skip)(titled('operators: the first operator, the locked check-in kiosk, and leaving it', skip), () => {
  let app: AppHost;
  let current: Page | null = null;
  const templates: { vector: number[]; quality: { score: number }; source: 'camera' }[] = [];
  const call = async <T>(name: string, args: unknown = {}) => value<T>(await app.operator(name, args));

  /** One Chromium per clip (the fake camera is the browser's); the page's errors help when a step times out. */
  async function withClip(clip: string, run: (page: Page) => Promise<void>): Promise<void> {
    const chromium = await launchChromium({ fakeCamera: join(mediaRoot, `${clip}.mjpeg`) });
    try {
      current = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
      current.on('pageerror', (e) => console.error(`[${clip}] page error:`, e.message));
      await run(current);
    } finally {
      current = null;
      await chromium.close();
    }
  }

  /** Management calls sent over the page's own socket, as anything running in a kiosk window could. */
  const managementFromPage = (page: Page) =>
    page.evaluate(async () => {
      // Runs in the page: the bridge the app itself uses (window.normface).
      const n = (globalThis as unknown as { normface: Bridge }).normface;
      return {
        'identities.list': await n.identities.list({}),
        'settings.set': await n.settings.set({ securityLevel: '1e-3' }),
        'data.deleteAll': await n.data.deleteAll({ confirm: 'DELETE ALL DATA' }),
        'bundle.export': await n.bundle.export({ passphrase: 'a passphrase long enough' }),
        'kiosk.leave': await n.kiosk.leave({}),
      };
    });

  beforeAll(async () => {
    // Person A's templates from five frames spread over the enrollment clip (what the wizard would send).
    const pipeline = await createNodePipeline({ threads: 1, models: ['detector', 'landmarks', 'embedder'] });
    try {
      const frames = mjpegFrames(join(mediaRoot, 'person-a-enroll.mjpeg'));
      for (let i = 0; i < 5; i++) {
        const { template } = await pipeline.enrollmentTemplate(decodeImage(frames[Math.floor(((i + 0.5) * frames.length) / 5)]!, 'enroll frame'));
        templates.push({ vector: Array.from(template), quality: { score: 0.9 }, source: 'camera' });
      }
    } finally {
      await pipeline.release();
    }
    const installed = join(repoRoot, 'models', 'calibration.json');
    // A first start: nobody has created an operator on this folder.
    app = await startAppHost({ calibrationPath: existsSync(installed) ? installed : writeCalibration(tempDataDir('operators-kiosk-cal')), operator: false });
  }, CAMERA_TIMEOUT);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await current?.screenshot({ path: screenshotPath(`failed-operators-kiosk-${context.task.name.slice(0, 20).replace(/\W+/g, '-')}`), fullPage: true });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('first start: the page creates the first operator, who starts the kiosk; the kiosk greets A and refuses management over its socket', async () => {
    await withClip('person-a-live', async (page) => {
      await page.goto(app.url);
      await page.getByTestId('first-operator').waitFor();
      expect(await page.locator('nav').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('first-operator'), fullPage: true });
      await page.getByLabel('Operator name').fill(TEST_OPERATOR.name);
      await page.getByLabel(/^Passphrase \(at least/).fill(TEST_OPERATOR.passphrase);
      await page.getByLabel('Passphrase again').fill(TEST_OPERATOR.passphrase);
      await page.getByRole('button', { name: 'Create the operator' }).click();
      await page.getByTestId('operator-signed-in').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('operator-signed-in').innerText()).toContain(TEST_OPERATOR.name);

      // The operator (the same one, on the test's own connection) enrolls A. One frame decides a visit
      // (no liveness frames to gather), a greeting on every visit, and room for the wrong passphrases
      // below without the 15-minute lock: what is tested there is the per-screen throttle.
      await call('settings.set', { backend: 'wasm', checkinLiveness: 'off', repeatGreetingMinutes: 0, lockoutAttempts: 20 });
      await call('identities.create', { name: NAME, templates });

      await page.getByRole('link', { name: 'Check-in', exact: true }).click();
      await page.getByRole('button', { name: 'Start the check-in kiosk' }).click();
      await page.getByTestId('kiosk-locked').waitFor();
      expect(await page.locator('nav').count()).toBe(0);
      expect(await page.getByTestId('operator-signed-in').count()).toBe(0);

      // Starting the kiosk signed this window out: its socket may not manage anything any more.
      const refused = await managementFromPage(page);
      for (const [name, reply] of Object.entries(refused)) expect(reply, name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect((await call<IdentitySummary[]>('identities.list')).map((i) => i.name)).toEqual([NAME]);
      expect((await call<Settings>('settings.get')).securityLevel).toBe('1e-4');

      const greeting = page.locator('[data-testid=kiosk-message][data-kind=greeting]');
      await greeting.waitFor({ timeout: CAMERA_TIMEOUT });
      expect(await greeting.innerText()).toContain(`Welcome, ${NAME}!`);
      await page.screenshot({ path: screenshotPath('kiosk-locked'), fullPage: true });

      // A typed route does not leave the kiosk either.
      await page.goto(`${app.url}#/identities`);
      await page.getByTestId('kiosk-locked').waitFor();
      expect(await page.locator('nav').count()).toBe(0);
    });
    expect((await call<SessionStatus>('session.status')).kiosk).toBe(true);
  }, CAMERA_TIMEOUT * 2);

  it('a second window is locked too: B is not recognised; a wrong passphrase is refused, repeated ones throttled, the right one leaves the kiosk', async () => {
    expect((await call<SessionStatus>('session.status')).kiosk, 'the previous test locks the kiosk').toBe(true);
    const checkinsBefore = (await call<CheckIn[]>('checkins.list')).length;
    await withClip('person-b-live', async (page) => {
      await page.goto(app.url);
      await page.getByTestId('kiosk-locked').waitFor();
      expect(await page.locator('nav').count()).toBe(0);
      const stranger = page.locator('[data-testid=kiosk-message][data-kind=stranger]');
      await stranger.waitFor({ timeout: CAMERA_TIMEOUT });
      expect(await stranger.innerText()).toContain('Not recognised');
      expect(await stranger.innerText()).toContain('Please ask at the desk');
      expect(await managementFromPage(page)).toMatchObject({ 'identities.list': { ok: false, error: { code: 'forbidden' } } });

      await page.getByRole('button', { name: 'Operator', exact: true }).click();
      await page.getByLabel('Operator name').fill(TEST_OPERATOR.name);
      const passphrase = page.getByLabel('Operator passphrase');
      const leave = page.getByRole('button', { name: 'Sign in and leave the kiosk' });
      const error = page.getByTestId('operator-sign-in-error');
      await passphrase.fill('not the operator passphrase');
      // Each click waits for the button, disabled while the previous sign-in is checked; each answer replaces the last.
      const answers: string[] = [];
      for (let i = 0; i < 10 && !/Too many/.test(answers.at(-1) ?? ''); i++) {
        await leave.click();
        await error.waitFor();
        answers.push(await error.innerText());
      }
      expect(answers[0]).toMatch(/^The name or passphrase is wrong; \d+ attempts? left before the lock\.$/);
      expect(answers.at(-1)).toBe('Too many operator sign-ins from this screen in a short time: wait a minute and try again.');
      await page.screenshot({ path: screenshotPath('kiosk-sign-in-throttled'), fullPage: true });
      expect(await page.getByTestId('kiosk-locked').count()).toBe(1);

      // The throttle refills one sign-in every 12 s: after that, the right passphrase leaves the kiosk.
      await page.waitForTimeout(13_000);
      await passphrase.fill(TEST_OPERATOR.passphrase);
      await leave.click();
      await page.locator('nav').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('kiosk-locked').count()).toBe(0);
      await page.getByTestId('operator-signed-in').waitFor();
      await page.getByRole('link', { name: 'Identities' }).click();
      await page.getByRole('button', { name: `Open ${NAME}` }).waitFor();
    });
    expect((await call<SessionStatus>('session.status')).kiosk).toBe(false);
    // B was never logged as anyone.
    expect(await call<CheckIn[]>('checkins.list')).toHaveLength(checkinsBefore);
  }, CAMERA_TIMEOUT * 2);
});
