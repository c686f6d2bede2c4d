// npm run bench:ui [-- --seconds 10 --runs 3]
// The kiosk view in real Chromium on WASM with the fake camera playing person A's live clip, against
// the real browser host (A enrolled from frames of the enrollment clip): frames per second the view
// processes, per-stage worker milliseconds, and the time from camera start (and from the face first
// seen) to the greeting, with the models already loaded, as on a kiosk that has been running.
// Measured twice in one run: detecting on every frame (the page opened with ?tracking=off, as before
// the tracker) and with the tracker (the app's default). Prints the machine load too: on shared cores
// the figures move with it. Ends with one JSON line.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Envelope } from '../../core/contract/api';
import { parseArgs } from '../eval/args';
import { tempDataDir, writeCalibration } from '../support/apiFixtures';
import { signInOperator, startAppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium';
import { decodeImage } from '../support/decode';
import { mjpegFrames } from '../support/clips';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason } from '../support/shared';

const args = parseArgs(process.argv.slice(2));
const seconds = Number(args.get('seconds') ?? 10);
const runs = Number(args.get('runs') ?? 3);
for (const [ok, reason] of [[hasMedia, noMediaReason], [hasChromium, noChromiumReason]] as const) {
  if (!ok) {
    console.error(`bench:ui cannot run: ${reason}`);
    process.exit(1);
  }
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// Person A's templates from five frames spread over the enrollment clip.
const pipeline = await createNodePipeline({ threads: 1 });
const frames = mjpegFrames(join(mediaRoot, 'person-a-enroll.mjpeg'));
const templates = [];
for (let i = 0; i < 5; i++) {
  const img = decodeImage(frames[Math.floor(((i + 0.5) * frames.length) / 5)]!, 'enroll frame');
  const { template } = await pipeline.enrollmentTemplate(img);
  templates.push({ vector: Array.from(template), quality: { score: 1 }, source: 'camera' as const });
}
await pipeline.release();

const dir = tempDataDir('bench-ui');
const app = await startAppHost({ dataDir: dir, calibrationPath: writeCalibration(dir) });
const call = async (name: string, a: unknown) => {
  const reply: Envelope<unknown> = await app.operator(name, a);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
};
await call('identities.create', { name: 'Person A', templates });
// Greet on every visit, and no liveness frames to wait for: this measures recognition itself.
await call('settings.set', { backend: 'wasm', checkinLiveness: 'off', repeatGreetingMinutes: 0 });

const chromium = await launchChromium({ fakeCamera: join(mediaRoot, 'person-a-live.mjpeg') });

interface Visit {
  cameraToGreetingMs: number;
  faceToGreetingMs: number;
}

interface ModeFigures {
  status: string;
  kioskFps: number;
  workerMsMedian: Record<string, number>;
  cameraToGreetingMs: number[];
  faceToGreetingMs: number[];
  /** Share of the sampled frames on which the full detector ran (tracking only). */
  detectedShare?: number;
  loadAverage: number[];
}

/** One page (one vision worker) per mode: the worker reads ?tracking= once, when it starts. */
async function measure(tracking: boolean): Promise<ModeFigures> {
  const page: Page = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const base = tracking ? app.url : `${app.url}&tracking=off`;
  const attr = async (testId: string, name: string) => page.getByTestId(testId).getAttribute(name);
  const num = async (testId: string, name: string) => Number(await attr(testId, name));
  // The check-in screen is an operator's; the session lives as long as this page's socket (hash routes only from here).
  await signInOperator(page, { url: base });

  async function visit(): Promise<Visit> {
    // Leaving the kiosk stops the camera; the vision worker (models loaded) stays, as in the app.
    await page.goto(`${base}#/about`);
    // A hash change is not a page load: wait until the kiosk (and its marks of the last visit) is gone.
    await page.getByTestId('kiosk').waitFor({ state: 'detached' });
    await page.goto(`${base}#/kiosk`);
    await page.locator('[data-testid=kiosk][data-greeted-at]').waitFor({ timeout: 120_000 });
    const [live, face, greeted] = await Promise.all([num('kiosk', 'data-camera-live-at'), num('kiosk', 'data-first-face-at'), num('kiosk', 'data-greeted-at')]);
    return { cameraToGreetingMs: greeted - live, faceToGreetingMs: greeted - face };
  }

  // Warm-up visit: loads the models and compiles the WASM kernels.
  const load0 = loadavg()[0]!;
  await page.goto(`${base}#/kiosk`);
  await page.locator('[data-testid=kiosk][data-greeted-at]').waitFor({ timeout: 180_000 });
  const visits: Visit[] = [];
  for (let r = 0; r < runs; r++) visits.push(await visit());

  // Steady state: the recognised person stays in view; sample the view's own counters.
  const f0 = await num('camera', 'data-frames');
  const t0 = performance.now();
  const work: Record<string, number[]> = {};
  let detected = 0;
  let sampled = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const t = JSON.parse((await attr('camera', 'data-timings')) || '{}') as Record<string, number>;
    for (const [k, v] of Object.entries(t)) (work[k] ??= []).push(v);
    const note = await attr('camera', 'data-tracking');
    if (note) {
      sampled++;
      if (note !== 'tracked') detected++;
    }
    await page.waitForTimeout(250);
  }
  const fps = ((await num('camera', 'data-frames')) - f0) / ((performance.now() - t0) / 1000);
  const status = await page.getByTestId('camera-status').innerText();
  await page.close();
  const figures: ModeFigures = {
    status,
    kioskFps: Number(fps.toFixed(2)),
    // A stage that ran on only some sampled frames (detect, with tracking) counts 0 on the others.
    workerMsMedian: Object.fromEntries(Object.entries(work).map(([k, v]) => [k, Number(median([...v, ...Array<number>(Math.max(0, (work.work?.length ?? 0) - v.length)).fill(0)]).toFixed(1))])),
    cameraToGreetingMs: visits.map((v) => Math.round(v.cameraToGreetingMs)),
    faceToGreetingMs: visits.map((v) => Math.round(v.faceToGreetingMs)),
    loadAverage: [Number(load0.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
  };
  if (tracking) figures.detectedShare = sampled > 0 ? Number((detected / sampled).toFixed(3)) : NaN;
  return figures;
}

const before = await measure(false);
const after = await measure(true);
await chromium.close();
await app.close();

const result = { bench: 'ui', backend: 'wasm', kioskFps: { detectEveryFrame: before.kioskFps, tracked: after.kioskFps }, detectEveryFrame: before, tracked: after, cores: cpus().length };
for (const [label, m] of [['detect every frame (before, ?tracking=off)', before], ['tracked (after, default)', after]] as const) {
  console.log(`kiosk view on WASM, ${label} (${m.status}), person A in view, ${seconds} s: ${m.kioskFps} frames/s processed`);
  console.log(`  worker ms per frame (median of samples): ${JSON.stringify(m.workerMsMedian)}${m.detectedShare !== undefined ? `; full detection on ${(100 * m.detectedShare).toFixed(0)}% of sampled frames` : ''}`);
  console.log(`  camera start -> greeting, ${runs} visits with models loaded: ${m.cameraToGreetingMs.join(', ')} ms (face first seen -> greeting: ${m.faceToGreetingMs.join(', ')} ms)`);
  console.log(`  1-min load average ${m.loadAverage[0]} -> ${m.loadAverage[1]}`);
}
console.log(`${cpus().length} cores`);
console.log(JSON.stringify(result));
