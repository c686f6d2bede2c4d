// UI-B's screens in real Chromium against the real browser host, with the fake camera playing
// person A's enrollment clip: the guided capture wizard, the identities, check-in log (CSV export),
// fine-tuning (disabled: the browser host has no training), settings (a change reaches the back end,
// delete-all asks for the phrase) and about. Each screen is saved under test-output/screenshots/.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, Identity, IdentitySummary, Settings } from '../../core/contract/api';
import { personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { screenshotPath, signInOperator, startAppHost, type AppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason, type LaunchedChromium } from '../support/chromium';
import { hasMedia, mediaRoot, noMediaReason, repoRoot, skipReason, titled } from '../support/shared';

const skip = skipReason(!hasMedia && noMediaReason, !hasChromium && noChromiumReason);
/** Model loading and five samples from a 15 fps clip on WASM, two shared cores. */
const CAPTURE_TIMEOUT = 120_000;

function value<T>(reply: Envelope<unknown>): T {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as T;
}

describe.skipIf(skip)(titled('UI-B screens in the real UI', skip), () => {
  let app: AppHost;
  let chromium: LaunchedChromium;
  let page: Page;
  const call = async <T>(name: string, args: unknown = {}) => value<T>(await app.operator(name, args));

  beforeAll(async () => {
    const installed = join(repoRoot, 'models', 'calibration.json');
    app = await startAppHost({ calibrationPath: existsSync(installed) ? installed : writeCalibration(tempDataDir('ui-screens-cal')) });
    await call('settings.set', { backend: 'wasm' });
    chromium = await launchChromium({ fakeCamera: join(mediaRoot, 'person-a-enroll.mjpeg') });
    page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    // Every screen here is an operator's; the page keeps its socket (hash routes only), so once is enough.
    await signInOperator(page, app);
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await page?.screenshot({ path: screenshotPath(`failed-${context.task.name.slice(0, 24).replace(/\W+/g, '-')}`), fullPage: true });
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.close();
  });

  it('enrolls person A through the guided camera wizard: five good samples at varied poses', async () => {
    await page.goto(`${app.url}#/enroll`);
    await page.getByLabel('Name', { exact: true }).fill('Person A');
    await page.screenshot({ path: screenshotPath('enroll'), fullPage: true });
    await page.getByRole('button', { name: 'Next' }).click();
    const started = Date.now();
    await page.getByTestId('sample').nth(4).waitFor({ timeout: CAPTURE_TIMEOUT });
    // A figure for the report, not a check: models load in this time too.
    console.log(`guided capture: 5 samples ${((Date.now() - started) / 1000).toFixed(1)} s after Next (${await page.getByTestId('camera').getAttribute('data-fps')} frames/s at the end)`);
    await page.screenshot({ path: screenshotPath('enroll-camera'), fullPage: true });

    // A removed thumbnail re-opens capture, which fills the gap again.
    await page.getByRole('button', { name: /^Remove sample 1 / }).click();
    await page.getByTestId('sample').nth(4).waitFor({ timeout: CAPTURE_TIMEOUT });

    await page.getByRole('button', { name: 'Continue with 5 samples' }).click();
    await page.getByTestId('duplicate-none').waitFor();
    await page.getByRole('button', { name: 'Save Person A' }).click();
    await page.getByTestId('enroll-done').waitFor();

    const [summary] = await call<IdentitySummary[]>('identities.list');
    expect(summary?.name).toBe('Person A');
    const person = await call<Identity>('identities.get', { id: summary!.id });
    expect(person.templates).toHaveLength(5);
    expect(person.templates.every((t) => t.source === 'camera' && t.thumbnail !== null)).toBe(true);
    // Varied: no two samples were taken at the same head pose.
    const poses = new Set(person.templates.map((t) => `${t.quality.yaw?.toFixed(1)},${t.quality.pitch?.toFixed(1)}`));
    expect(poses.size).toBe(5);
    const yaws = person.templates.map((t) => t.quality.yaw ?? 0);
    console.log(`enrollment sample yaw range: ${Math.min(...yaws).toFixed(1)}..${Math.max(...yaws).toFixed(1)} degrees`);
  }, CAPTURE_TIMEOUT * 2);

  it('warns before enrolling the same face a second time, and saves nothing until told', async () => {
    await page.getByRole('button', { name: 'Enroll another person' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Person A again');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('sample').nth(4).waitFor({ timeout: CAPTURE_TIMEOUT });
    await page.getByRole('button', { name: 'Continue with 5 samples' }).click();
    await page.getByTestId('duplicate-found').waitFor();
    expect(await page.getByTestId('duplicate-found').textContent()).toContain('already matches Person A');
    await page.screenshot({ path: screenshotPath('enroll-duplicate'), fullPage: true });
    expect(await call<IdentitySummary[]>('identities.list')).toHaveLength(1);
  }, CAPTURE_TIMEOUT);

  it('shows the identities, one person in detail, and the check-in log with its CSV', async () => {
    // A check-in the back end decided: Person A walks up to the kiosk (the same clip).
    await page.goto(`${app.url}#/kiosk`);
    await page.locator('[data-testid=kiosk-message][data-kind=greeting]').waitFor({ timeout: CAPTURE_TIMEOUT });

    await page.goto(`${app.url}#/identities`);
    await page.getByRole('button', { name: 'Open Person A' }).click();
    await page.getByRole('heading', { name: 'Templates (5)' }).waitFor();
    await page.screenshot({ path: screenshotPath('identity-detail'), fullPage: true });
    await page.getByRole('button', { name: 'Back up now' }).click();
    await page.getByText(/^Backup .+ saved\.$/).waitFor();

    await page.goto(`${app.url}#/checkin-log`);
    await page.getByRole('cell', { name: 'Person A' }).waitFor();
    await page.screenshot({ path: screenshotPath('checkin-log'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('Person A');
    expect(download.suggestedFilename()).toMatch(/^checkins-\d{4}-\d{2}-\d{2}\.csv$/);
  }, CAPTURE_TIMEOUT);

  it('runs fine-tuning from its screen: refused with one person, trained with three, before/after shown', async () => {
    await page.goto(`${app.url}#/training`);
    await page.getByRole('heading', { name: 'Current run' }).waitFor();
    if (await page.getByTestId('training-unavailable').isVisible()) {
      // A host without training: the screen says why and offers nothing to click.
      expect(await page.getByRole('button', { name: 'Start training' }).isDisabled()).toBe(true);
      await page.screenshot({ path: screenshotPath('training'), fullPage: true });
      return;
    }
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByText(/Training could not start: .*at least two enrolled people/).waitFor();

    // Two more people (synthetic clustered templates: training needs several identities, not faces).
    for (const seed of [11, 12]) {
      await call('identities.create', { name: `Synthetic ${seed}`, templates: personTemplates(seed, 12).map((v) => ({ vector: Array.from(v), quality: { score: 0.9 }, source: 'photo' })) });
    }
    await page.getByLabel('Epochs').fill('5');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByText(/^(Finished|Failed|Accepted)/).waitFor({ timeout: CAPTURE_TIMEOUT });
    const before = page.getByRole('row', { name: /Rank-1 accuracy/ });
    expect(await before.textContent()).toMatch(/Rank-1 accuracy\d+\.\d %\d+\.\d %/);
    // The loss curve ends at the run's last step, even when no poll saw it running.
    await page.getByRole('img', { name: /^Loss curve: \d+ points?, latest loss \d/ }).waitFor();
    await page.screenshot({ path: screenshotPath('training'), fullPage: true });
  }, CAPTURE_TIMEOUT * 2);

  it('shows about: the models, their source and licence', async () => {
    await page.goto(`${app.url}#/about`);
    await page.getByRole('cell', { name: 'fr_feature.onnx' }).waitFor();
    await page.screenshot({ path: screenshotPath('about'), fullPage: true });
  });

  it('deletes a person after confirming, and brings them back from the backup made earlier', async () => {
    await page.goto(`${app.url}#/identities`);
    await page.getByRole('button', { name: 'Open Person A' }).click();
    await page.getByRole('button', { name: 'Delete Person A…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete Person A' }).click();
    await page.getByRole('button', { name: 'Open Person A' }).waitFor({ state: 'detached' });
    expect((await call<IdentitySummary[]>('identities.list')).map((i) => i.name)).not.toContain('Person A');

    await page.getByRole('button', { name: /^Restore / }).first().click();
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByText(/^Restored .+: 1 identity\.$/).waitFor();
    await page.getByRole('button', { name: 'Open Person A' }).waitFor();
    expect((await call<IdentitySummary[]>('identities.list')).map((i) => i.name)).toEqual(['Person A']);
  });

  it('saves a settings change in the back end, and deletes all data (backups too) only after the phrase is typed', async () => {
    await page.goto(`${app.url}#/settings`);
    await page.getByLabel('Security level').selectOption('1e-5');
    await page.getByText('Saved.').waitFor();
    expect((await call<Settings>('settings.get')).securityLevel).toBe('1e-5');
    const attempts = page.getByLabel('Failed attempts before locking');
    await attempts.fill('0');
    await attempts.blur();
    await page.getByText('Failed attempts: enter a whole number from 1 to 100.').waitFor();
    await attempts.fill('7');
    await attempts.blur();
    await page.getByText('Saved.').waitFor();
    expect((await call<Settings>('settings.get')).lockoutAttempts).toBe(7);
    // The promise for the gallery enrolled now, and the cohort off by default with what it would keep.
    await page.getByTestId('settings-promise').filter({ hasText: 'With 1 person enrolled' }).waitFor();
    expect(await page.getByLabel('Keep unrecognised faces').isChecked()).toBe(false);
    expect(await page.getByTestId('cohort-explained').innerText()).toMatch(/At most 2,000 are kept, each for at most 90 days/);
    await page.screenshot({ path: screenshotPath('settings'), fullPage: true });

    await page.getByRole('button', { name: 'Delete all data…' }).click();
    const confirm = page.getByRole('button', { name: 'Delete everything' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel(/Type DELETE ALL DATA to confirm/).fill('DELETE ALL DATA');
    await confirm.click();
    await page.getByText('All data was deleted.').waitFor();
    expect(await call<IdentitySummary[]>('identities.list')).toEqual([]);
    expect(await call<unknown[]>('backup.list')).toEqual([]);
    await page.getByTestId('settings-promise').filter({ hasText: 'Nobody is enrolled yet' }).waitFor();
  });
});
