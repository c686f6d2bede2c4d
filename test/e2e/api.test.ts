// The whole app in the browser host, driven in real Chromium: the built renderer installs
// window.normface (WebSocket-backed), and through it we enrol a person from two LFW photos,
// identify a third photo of them, and delete them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host';
import { embedLfwImages } from '../eval/embeddings';
import { personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { hasLfw, lfwImage, noLfwReason, repoRoot } from '../support/shared';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)(`browser host in Chromium (${hasChromium ? '' : 'no /usr/bin/chromium'})`, () => {
  let host: BrowserHost;
  let browser: BrowserContext;
  let profile: string;
  let templates: number[][];

  beforeAll(async () => {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'pipe', timeout: 280_000 });
    if (hasLfw) {
      const paths = [1, 2, 3].map((i) => lfwImage('George_W_Bush', i));
      const embedded = await embedLfwImages(paths);
      templates = paths.map((p) => Array.from(embedded.get(p)!));
    } else {
      console.warn(`e2e uses synthetic templates: ${noLfwReason}`);
      templates = personTemplates(3, 3).map((t) => Array.from(t));
    }
    const dataDir = tempDataDir('e2e');
    const realCalibration = join(repoRoot, 'models', 'calibration.json');
    host = await startBrowserHost({ appRoot: repoRoot, dataDir, calibrationPath: existsSync(realCalibration) ? realCalibration : writeCalibration(dataDir) });
    profile = mkdtempSync(join(tmpdir(), 'normface-chromium-'));
    // A fresh profile every run (Playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('enrols from two photos, identifies the third, deletes', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.waitForFunction(() => typeof (globalThis as unknown as { normface?: unknown }).normface === 'object', undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);

    const result = await page.evaluate(async ([a, b, c]) => {
      type Reply<T> = { ok: true; value: T } | { ok: false; error: { message: string } };
      const nf = (globalThis as unknown as { normface: Record<string, Record<string, (x: unknown) => Promise<Reply<unknown>>>> & { identify(x: unknown): Promise<Reply<{ recognised: { identityId: string; score: number } | null; threshold: number }>> } }).normface;
      const must = <T,>(r: Reply<T>): T => {
        if (!r.ok) throw new Error(r.error.message);
        return r.value;
      };
      const quality = { score: 0.9 };
      // The page's own socket manages nothing until an operator signs in on it (here: the first start's).
      const refused = await nf.identities!.list!({});
      must(await nf.operators!.setup!({ name: 'Page Operator', passphrase: 'page operator passphrase' }));
      const created = must(await nf.identities!.create!({ name: 'George', templates: [{ vector: new Float32Array(a!), quality, source: 'photo' }, { vector: b, quality, source: 'photo' }] })) as { id: string; templateCount: number };
      const found = must(await nf.identify({ probe: new Float32Array(c!), k: 3 }));
      const deleted = must(await nf.identities!.delete!({ id: created.id }));
      const after = must(await nf.identities!.list!({})) as unknown[];
      const bad = await nf.identities!.get!({ id: 42 });
      return { refused, created, found, deleted, remaining: after.length, bad };
    }, templates);

    expect(result.created.templateCount).toBe(2);
    expect(result.refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(result.found.recognised?.identityId).toBe(result.created.id);
    expect(result.found.recognised!.score).toBeGreaterThanOrEqual(result.found.threshold);
    expect(result.deleted).toEqual({ deleted: result.created.id });
    expect(result.remaining).toBe(0);
    expect(result.bad).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
    expect(errors).toEqual([]);
  });
});
