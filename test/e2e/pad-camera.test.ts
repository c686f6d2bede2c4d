// A presentation attack played to real Chromium's fake camera, as a person's clip is: a still photo of
// person A (one frame of person-a-live, test/pad/make-attacks.ts) at the login screen. The screen
// gathers frames for its full 30 s, sends them, and the back end refuses the attempt for liveness
// (the picture never changes, and no blink or turn is seen), logging which part failed. The other
// attack types are measured over the same pipeline in Node by `npm run eval:pad`; ui-camera.test.ts
// shows the camera path and that evaluation agree on the genuine clips (A accepted, B refused).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, IdentitySummary } from '../../core/contract/api';
import { tempDataDir, writeCalibration } from '../support/apiFixtures';
import { startAppHost, type AppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';
import { clipFrames } from '../pad/clips';
import { stillAttackClip } from '../pad/make-attacks';

const skip = skipReason(!hasMedia && noMediaReason, !hasChromium && noChromiumReason);
/** Model loading, then the attempt's 30 s of camera, on two shared cores. */
const TIMEOUT = 180_000;

function value<T>(reply: Envelope<unknown>): T {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}

describe.skipIf(skip)(titled('presentation attack at the login screen (real Chromium, fake camera)', skip), () => {
  let app: AppHost;
  const call = async <T>(name: string, args: unknown = {}) => value<T>(await app.operator(name, args));

  beforeAll(async () => {
    const installed = join(repoRoot, 'models', 'calibration.json');
    app = await startAppHost({ calibrationPath: existsSync(installed) ? installed : writeCalibration(tempDataDir('pad-camera-cal')) });
    await call('settings.set', { backend: 'wasm' });
    // Person A enrolled from five frames of person-a-enroll, through the same contract call the wizard uses.
    const pipeline = await createNodePipeline({ threads: 1, models: ['detector', 'landmarks', 'embedder'] });
    const templates = [];
    try {
      for await (const { index, image } of clipFrames(join(mediaRoot, 'person-a-enroll.mjpeg'))) {
        if (index % 50 !== 10) continue;
        const { template, face } = await pipeline.enrollmentTemplate(image);
        templates.push({ vector: Array.from(template), quality: { score: 0.9, yaw: face.quality.yaw }, source: 'camera' });
      }
    } finally {
      await pipeline.release();
    }
    await call('identities.create', { name: 'Person A', templates: templates.slice(0, 5) });
  }, TIMEOUT);

  afterAll(async () => {
    await app?.close();
  });

  it('refuses a still photo of A for liveness and logs which part failed', { timeout: TIMEOUT }, async () => {
    const chromium = await launchChromium({ fakeCamera: stillAttackClip() });
    try {
      const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(`${app.url}#/login`);
      await page.getByLabel('Your name').fill('Person A');
      await page.getByRole('button', { name: 'Start' }).click();
      const verdict = page.getByTestId('verdict');
      await verdict.waitFor({ timeout: TIMEOUT });
      expect(await verdict.getAttribute('data-accepted')).toBe('false');
      expect(await verdict.getAttribute('data-reason')).toBe('liveness-failed');
      expect(['frozen', 'no-challenge']).toContain(await verdict.getAttribute('data-liveness'));
      expect(await verdict.innerText()).toContain('The liveness check failed');
    } finally {
      await chromium.close();
    }
    const [a] = await call<IdentitySummary[]>('identities.list', {});
    const [last] = await call<{ decision: string; identityId: string; detail: Record<string, unknown> }[]>('events.list', { kind: 'verify', limit: 1 });
    expect(last).toMatchObject({ decision: 'reject', identityId: a!.id, detail: { reason: 'liveness-failed' } });
    expect(['frozen', 'no-challenge']).toContain(last!.detail.liveness);
  });
});
