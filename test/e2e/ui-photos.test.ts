// Enrollment from photos through the real UI: five LFW photos of one person, a corrupt file and a
// photo with no face go through the file picker together; each gets its own verdict and the batch
// never stops. Then a sixth photo of the person is identified, and a photo of someone else is not.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentitySummary } from '../../core/contract/api';
import { tempDataDir, writeCalibration } from '../support/apiFixtures';
import { screenshotPath, signInOperator, startAppHost, type AppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason, type LaunchedChromium } from '../support/chromium';
import { hasLfw, lfwImage, noLfwReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasLfw && noLfwReason, !hasChromium && noChromiumReason);
const PERSON = 'Colin_Powell';
const NAME = 'Colin Powell';
/** Model loading plus seven photos on WASM, on two shared cores. */
const READ_TIMEOUT = 90_000;

/** A grey gradient: a valid image with no face in it. */
function faceless(path: string): void {
  const png = new PNG({ width: 240, height: 240 });
  for (let y = 0; y < 240; y++) {
    for (let x = 0; x < 240; x++) {
      const i = (y * 240 + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = 60 + Math.round((x + y) / 3);
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

/** Starts like a JPEG, then nothing a decoder can use. */
function corrupt(path: string): void {
  const bytes = Buffer.alloc(4096);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  for (let i = 4; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  writeFileSync(path, bytes);
}

async function verdicts(page: Page): Promise<{ file: string; verdict: string }[]> {
  return page.$$eval('[data-testid=photo-item]', (items) =>
    items.map((li) => ({ file: li.querySelector('.file-name')?.textContent ?? '', verdict: li.getAttribute('data-verdict') ?? '' })),
  );
}

describe.skipIf(skip)(titled('enrollment from photos in the real UI', skip), () => {
  let app: AppHost;
  let chromium: LaunchedChromium;
  let page: Page;
  const dir = tempDataDir('ui-photos-files');
  const blank = join(dir, 'blank-wall.png');
  const broken = join(dir, 'broken.jpg');

  beforeAll(async () => {
    faceless(blank);
    corrupt(broken);
    const installed = join(repoRoot, 'models', 'calibration.json');
    app = await startAppHost({ calibrationPath: existsSync(installed) ? installed : writeCalibration(dir) });
    // WASM: the same backend on every machine (WebGPU is covered by the camera test).
    await app.operator('settings.set', { backend: 'wasm' });
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    // Enroll and Identities are an operator's screens.
    await signInOperator(page, app);
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.close();
  });

  it('gives each photo its own verdict, enrolls the five good ones, and identifies a sixth', async () => {
    await page.goto(`${app.url}#/enroll`);
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('From photos').check();
    await page.getByRole('button', { name: 'Next' }).click();

    const good = [1, 2, 3, 4, 5].map((i) => lfwImage(PERSON, i));
    // The bad files sit in the middle, so photos after them must still be read.
    await page.getByTestId('photo-input').setInputFiles([good[0]!, good[1]!, broken, blank, good[2]!, good[3]!, good[4]!]);
    await page.getByTestId('photo-item').nth(6).waitFor();
    await page.locator('[data-testid=photo-item][data-verdict=reading]').first().waitFor({ state: 'detached', timeout: READ_TIMEOUT });
    expect(await verdicts(page)).toEqual([
      { file: `${PERSON}_0001.jpg`, verdict: 'face found' },
      { file: `${PERSON}_0002.jpg`, verdict: 'face found' },
      { file: 'broken.jpg', verdict: 'unreadable' },
      { file: 'blank-wall.png', verdict: 'no face' },
      { file: `${PERSON}_0003.jpg`, verdict: 'face found' },
      { file: `${PERSON}_0004.jpg`, verdict: 'face found' },
      { file: `${PERSON}_0005.jpg`, verdict: 'face found' },
    ]);

    await page.getByRole('button', { name: 'Continue with 5 samples' }).click();
    await page.getByTestId('duplicate-none').waitFor();
    await page.getByRole('button', { name: `Save ${NAME}` }).click();
    await page.getByTestId('enroll-done').waitFor();
    expect(await page.getByTestId('enroll-done').textContent()).toContain(`Enrolled ${NAME} with 5 samples`);
    expect((await verdicts(page)).map((v) => v.verdict)).toEqual(['enrolled', 'enrolled', 'unreadable', 'no face', 'enrolled', 'enrolled', 'enrolled']);
    await page.screenshot({ path: screenshotPath('enroll-photos'), fullPage: true });

    // What the back end stored: one person, five photo templates with thumbnails.
    const listed = await app.operator('identities.list', {});
    expect(listed.ok).toBe(true);
    const people = (listed as { ok: true; value: IdentitySummary[] }).value;
    expect(people.map((p) => [p.name, p.templateCount])).toEqual([[NAME, 5]]);
    expect(people[0]!.thumbnail).toMatch(/^\/9j\//);

    await page.goto(`${app.url}#/identities`);
    await page.getByTestId('identity-row').first().waitFor();
    await page.getByTestId('identify-input').setInputFiles(lfwImage(PERSON, 6));
    await page.getByTestId('identify-result').waitFor({ timeout: READ_TIMEOUT });
    expect(await page.getByTestId('identify-result').getAttribute('data-recognised')).toBe(NAME);
    await page.screenshot({ path: screenshotPath('identities'), fullPage: true });

    // Someone else must not be taken for him.
    await page.getByTestId('identify-input').setInputFiles(lfwImage('George_W_Bush', 1));
    await page.getByTestId('identify-result').filter({ hasText: 'George_W_Bush_0001.jpg' }).waitFor({ timeout: READ_TIMEOUT });
    expect(await page.getByTestId('identify-result').getAttribute('data-recognised')).toBe('');
  });

  it('adds a sample to an enrolled person from a photo dropped on the drop zone', async () => {
    await page.goto(`${app.url}#/identities`);
    await page.getByRole('button', { name: `Open ${NAME}` }).click();
    await page.getByRole('button', { name: 'From photos' }).click();
    // A real drop event carrying the file, as the browser makes when a photo is dragged in.
    const bytes = readFileSync(lfwImage(PERSON, 7)).toString('base64');
    const transfer = await page.evaluateHandle(
      ([b64, name]) => {
        // Runs in the page; the Node-side types know no DataTransfer.
        const page = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } };
        const t = new page.DataTransfer();
        t.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/jpeg' }));
        return t;
      },
      [bytes, `${PERSON}_0007.jpg`] as const,
    );
    await page.getByText('or drop them here').dispatchEvent('drop', { dataTransfer: transfer });
    await page.locator('[data-testid=photo-item][data-verdict="face found"]').waitFor({ timeout: READ_TIMEOUT });
    await page.getByRole('button', { name: `Add 1 sample to ${NAME}` }).click();
    await page.getByText(`Added 1 sample to ${NAME}.`).waitFor();
    const listed = await app.operator('identities.list', {});
    expect((listed as { ok: true; value: IdentitySummary[] }).value.map((p) => p.templateCount)).toEqual([6]);
  });
});
