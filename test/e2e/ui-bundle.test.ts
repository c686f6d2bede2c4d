// Moving people between two data folders (two browser hosts, two keys) through the Identities screen
// in real Chromium: export everyone with a passphrase typed twice, the download imported on the other
// host; a wrong passphrase is refused with a sentence; importing again offers the same person as
// merge or skip. The screen is saved as test-output/screenshots/identities-bundle.png.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, IdentitySummary } from '../../core/contract/api';
import { enrolCrowd, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { screenshotPath, signInOperator, startAppHost, type AppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason, type LaunchedChromium } from '../support/chromium';
import { skipReason, titled } from '../support/shared';
import { jpegThumbnail, seededRandom } from '../support/store-fixtures';

const skip = skipReason(!hasChromium && noChromiumReason);
const PASSPHRASE = 'moving day passphrase';

function value<T>(reply: Envelope<unknown>): T {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}

describe.skipIf(skip)(titled('bundle export and import in the real UI', skip), () => {
  let from: AppHost;
  let to: AppHost;
  let chromium: LaunchedChromium;
  let page: Page;
  const work = tempDataDir('ui-bundle');

  beforeAll(async () => {
    const calibrationPath = writeCalibration(work);
    from = await startAppHost({ calibrationPath });
    to = await startAppHost({ calibrationPath });
    const thumbnail = Buffer.from(jpegThumbnail(seededRandom(2), 48)).toString('base64');
    value(await from.operator('identities.create', {
      name: 'Person A',
      notes: 'moves to the second desk',
      templates: personTemplates(7, 3).map((v) => ({ vector: Array.from(v), quality: { score: 0.9 }, source: 'photo', thumbnail })),
    }));
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1280, height: 1400 }, acceptDownloads: true });
    page.on('pageerror', (e) => console.error('page error:', e.message));
  }, 300_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await page?.screenshot({ path: screenshotPath('failed-ui-bundle'), fullPage: true });
  });

  afterAll(async () => {
    await chromium?.close();
    await from?.close();
    await to?.close();
  });

  it('exports from one host and imports into the other, refusing a wrong passphrase, then offers merge or skip', async () => {
    // Each host is its own origin and socket: the page signs in to each as an operator.
    await signInOperator(page, from);
    await page.goto(`${from.url}#/identities`);
    await page.getByRole('button', { name: 'Open Person A' }).waitFor();
    const exportButton = page.getByRole('button', { name: 'Export everyone' });
    await page.getByLabel('Passphrase (at least 8 characters)').fill(PASSPHRASE);
    await page.getByLabel('The passphrase again').fill(`${PASSPHRASE}x`);
    expect(await exportButton.isDisabled()).toBe(true);
    await page.getByLabel('The passphrase again').fill(PASSPHRASE);
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
    expect(download.suggestedFilename()).toMatch(/^normface-people-\d{4}-\d{2}-\d{2}\.nfbundle$/);
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 8).toString('latin1')).toBe('NFBUNDLE');

    await signInOperator(page, to);
    await page.goto(`${to.url}#/identities`);
    await page.getByText('Nobody is enrolled yet.').waitFor();
    await page.locator('#bundle-file').setInputFiles(file);
    await page.getByLabel('Its passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'passphrase does not open this bundle' }).waitFor();
    expect(value<IdentitySummary[]>(await to.operator('identities.list', {}))).toEqual([]);

    await page.getByLabel('Its passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText(/holds 1 person\./).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported: 1 added, 0 merged, 0 skipped (3 templates).').waitFor();
    await page.getByRole('button', { name: 'Open Person A' }).waitFor();
    expect(value<IdentitySummary[]>(await to.operator('identities.list', {})).map((p) => [p.name, p.notes, p.templateCount])).toEqual([['Person A', 'moves to the second desk', 3]]);

    // The same file again: Person A is here already, by the same record; the person chooses.
    await page.locator('#bundle-file').setInputFiles(file);
    await page.getByLabel('Its passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByText(/already here as Person A \(same record\)/).waitFor();
    await page.getByLabel('What to do with Person A').selectOption('merge');
    await page.screenshot({ path: screenshotPath('identities-bundle'), fullPage: true });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported: 0 added, 1 merged, 0 skipped (0 templates).').waitFor();
  }, 300_000);

  it('a 400-person bundle (about 5 MB) exports from the screen and imports through it', async () => {
    const crowdDir = tempDataDir('ui-bundle-crowd');
    enrolCrowd(crowdDir, 400, jpegThumbnail(seededRandom(3), 32));
    const crowd = await startAppHost({ calibrationPath: writeCalibration(work), dataDir: crowdDir });
    const empty = await startAppHost({ calibrationPath: writeCalibration(work) });
    try {
      await signInOperator(page, crowd);
      await page.goto(`${crowd.url}#/identities`);
      await page.getByRole('button', { name: 'Open Crowd 399' }).waitFor();
      await page.getByLabel('Passphrase (at least 8 characters)').fill(PASSPHRASE);
      await page.getByLabel('The passphrase again').fill(PASSPHRASE);
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export everyone' }).click()]);
      const file = join(work, 'crowd.nfbundle');
      await download.saveAs(file);
      console.log(`400-person bundle from the screen: ${(statSync(file).size / 1e6).toFixed(2)} MB`);
      expect(statSync(file).size).toBeGreaterThan(4_000_000);

      await signInOperator(page, empty);
      await page.goto(`${empty.url}#/identities`);
      await page.getByText('Nobody is enrolled yet.').waitFor();
      await page.locator('#bundle-file').setInputFiles(file);
      await page.getByLabel('Its passphrase').fill(PASSPHRASE);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await page.getByText(/holds 400 people\./).waitFor({ timeout: 120_000 });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByText('Imported: 400 added, 0 merged, 0 skipped (1200 templates).').waitFor({ timeout: 120_000 });
      expect(value<IdentitySummary[]>(await empty.operator('identities.list', {}))).toHaveLength(400);
    } finally {
      await crowd.close();
      await empty.close();
    }
  }, 600_000);
});
