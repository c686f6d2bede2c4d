// npm run bench:ui [-- --seconds 10 --runs 3]
// The kiosk view in real Chromium on WASM with the fake camera playing person A's live clip, against
// the real browser host (A enrolled from frames of the enrollment clip): frames per second the view
// processes, per-stage worker milliseconds, and the time from camera start (and from the face first
// seen) to the greeting, with the models already loaded, as on a kiosk that has been running.
// Prints the machine load too: on shared cores the figures move with it. Ends with one JSON line.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Envelope } from '../../core/contract/api';
import { parseArgs } from '../eval/args';
import { tempDataDir, writeCalibration } from '../support/apiFixtures';
import { startAppHost } from '../support/app-host';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium';
import { decodeImage } from '../support/decode';
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

/** The JPEG frames of an MJPEG file (concatenated JPEGs). */
function mjpegFrames(file: string): Uint8Array[] {
  const b = readFileSync(file);
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 1 < b.length; i++) {
    if (start < 0 && b[i] === 0xff && b[i + 1] === 0xd8) start = i;
    else if (start >= 0 && b[i] === 0xff && b[i + 1] === 0xd9) {
      out.push(b.subarray(start, i + 2));
      start = -1;
    }
  }
  return out;
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
  const reply: Envelope<unknown> = await app.host.dispatch(name, a);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
};
await call('identities.create', { name: 'Person A', templates });
// Greet on every visit, and no liveness frames to wait for: this measures recognition itself.
await call('settings.set', { backend: 'wasm', checkinLiveness: 'off', repeatGreetingMinutes: 0 });

const chromium = await launchChromium({ fakeCamera: join(mediaRoot, 'person-a-live.mjpeg') });
const page: Page = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
page.on('pageerror', (e) => console.error('page error:', e.message));

const attr = async (testId: string, name: string) => page.getByTestId(testId).getAttribute(name);
const num = async (testId: string, name: string) => Number(await attr(testId, name));

interface Visit {
  cameraToGreetingMs: number;
  faceToGreetingMs: number;
}
async function visit(): Promise<Visit> {
  // Leaving the kiosk stops the camera; the vision worker (models loaded) stays, as in the app.
  await page.goto(`${app.url}#/about`);
  await page.goto(`${app.url}#/kiosk`);
  await page.locator('[data-testid=kiosk][data-greeted-at]').waitFor({ timeout: 120_000 });
  const [live, face, greeted] = await Promise.all([num('kiosk', 'data-camera-live-at'), num('kiosk', 'data-first-face-at'), num('kiosk', 'data-greeted-at')]);
  return { cameraToGreetingMs: greeted - live, faceToGreetingMs: greeted - face };
}

// Warm-up visit: loads the models and compiles the WASM kernels.
const load0 = loadavg()[0]!;
await page.goto(`${app.url}#/kiosk`);
await page.locator('[data-testid=kiosk][data-greeted-at]').waitFor({ timeout: 180_000 });
const visits: Visit[] = [];
for (let r = 0; r < runs; r++) visits.push(await visit());

// Steady state: the recognised person stays in view; sample the view's own counters.
const f0 = await num('camera', 'data-frames');
const t0 = performance.now();
const work: Record<string, number[]> = {};
while (performance.now() - t0 < seconds * 1000) {
  const t = JSON.parse((await attr('camera', 'data-timings')) || '{}') as Record<string, number>;
  for (const [k, v] of Object.entries(t)) (work[k] ??= []).push(v);
  await page.waitForTimeout(250);
}
const fps = ((await num('camera', 'data-frames')) - f0) / ((performance.now() - t0) / 1000);
const status = await page.getByTestId('camera-status').innerText();
const load1 = loadavg()[0]!;
await chromium.close();
await app.close();

const stage = Object.fromEntries(Object.entries(work).map(([k, v]) => [k, Number(median(v).toFixed(1))]));
const result = {
  bench: 'ui',
  backend: 'wasm',
  status,
  kioskFps: Number(fps.toFixed(2)),
  workerMsMedian: stage,
  cameraToGreetingMs: visits.map((v) => Math.round(v.cameraToGreetingMs)),
  faceToGreetingMs: visits.map((v) => Math.round(v.faceToGreetingMs)),
  cores: cpus().length,
  loadAverage: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
};
console.log(`kiosk view on WASM (${status}), person A in view, ${seconds} s: ${result.kioskFps} frames/s processed`);
console.log(`worker ms per frame (median of samples): ${JSON.stringify(stage)}`);
console.log(`camera start -> greeting, ${runs} visits with models loaded: ${result.cameraToGreetingMs.join(', ')} ms (face first seen -> greeting: ${result.faceToGreetingMs.join(', ')} ms)`);
console.log(`${cpus().length} cores, 1-min load average ${load0.toFixed(1)} -> ${load1.toFixed(1)}`);
console.log(JSON.stringify(result));
