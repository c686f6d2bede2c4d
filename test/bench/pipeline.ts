// npm run bench:pipeline [-- --rounds 5 --frames 150]: median milliseconds per stage and for the whole
// chain (detect + landmarks + align + embed) on WASM with 1 and 2 threads, over real LFW photos; then the
// camera path over a webcam clip of person A: per-frame median and p95 with the FaceTracker against
// detecting on every frame (the two interleaved frame by frame, so load changes hit both alike),
// without templates (a kiosk between probes) and with the largest face embedded on every frame (login).
// The int8 embedder (models/fr_feature_int8.onnx, when made) is timed beside the float one on the same crops.
// Ends with one JSON line. onnxruntime-web fixes its thread count at first use, so each thread count
// runs in its own process.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { alignedTensor } from '../../core/vision/align';
import { embedTensor } from '../../core/vision/embed';
import type { RgbaImage } from '../../core/vision/image';
import { fivePoints } from '../../core/vision/landmarks';
import type { AnalyseOptions, FacePipeline } from '../../core/vision/pipeline';
import { FaceTracker, TRACKER_DEFAULTS } from '../../core/vision/track';
import { parseArgs } from '../eval/args';
import { hasQuantised, noQuantisedReason, QUANTISED_FILE, quantisedPath } from '../eval/quantised-model';
import { clipImages } from '../support/clips';
import { decodeFile } from '../support/decode';
import { createNodePipeline } from '../support/node-pipeline';
import { hasLfw, hasMedia, lfwImage, mediaRoot, noLfwReason, noMediaReason } from '../support/shared';

const STAGES = ['detect', 'landmarks', 'align', 'embed', 'chain'] as const;
type Stage = (typeof STAGES)[number];
const SAMPLE = ['Aaron_Peirsol', 'George_W_Bush', 'Colin_Powell', 'Tony_Blair', 'Serena_Williams', 'Gerhard_Schroeder', 'Jennifer_Capriati', 'Hugo_Chavez'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

const CLIP = 'person-a-live.mjpeg';
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number;

interface PathFigures {
  median: number;
  p95: number;
  /** Frames on which the full detector ran. */
  detections: number;
  /** Tracked frames only: lowest and 5th-percentile IoU of the predicted box with the new landmarks' box. */
  consistency?: { min: number; p5: number };
}
interface CameraFigures {
  frames: number;
  tracked: PathFigures;
  everyFrame: PathFigures;
  trackedEmbed: PathFigures;
  everyFrameEmbed: PathFigures;
}

/** Per-frame milliseconds of the tracker and of plain detection on the same frames, interleaved. */
async function cameraPath(pipeline: FacePipeline, frames: RgbaImage[], options: AnalyseOptions): Promise<[PathFigures, PathFigures]> {
  const tracker = new FaceTracker(pipeline);
  const times: [number[], number[]] = [[], []];
  let detections = 0;
  const consistency: number[] = [];
  for (const img of frames) {
    const t0 = performance.now();
    const tracked = await tracker.analyse(img, options);
    const t1 = performance.now();
    await pipeline.analyse(img, options);
    times[0].push(t1 - t0);
    times[1].push(performance.now() - t1);
    if (tracked.tracking?.detected) detections++;
    else if (tracked.tracking?.consistency !== undefined) consistency.push(tracked.tracking.consistency);
  }
  const figures = (xs: number[], d: number) => ({ median: Number(median(xs).toFixed(2)), p95: Number(quantile(xs, 0.95).toFixed(2)), detections: d });
  const trackedFigures: PathFigures = figures(times[0], detections);
  if (consistency.length > 0) trackedFigures.consistency = { min: Number(Math.min(...consistency).toFixed(3)), p5: Number(quantile(consistency, 0.05).toFixed(3)) };
  return [trackedFigures, figures(times[1], frames.length)];
}

async function camera(pipeline: FacePipeline, count: number): Promise<CameraFigures> {
  const frames = clipImages(join(mediaRoot, CLIP), count);
  // Warm-up: the first runs of each model compile kernels.
  await cameraPath(pipeline, frames.slice(0, 5), { embed: 'primary' });
  const [tracked, everyFrame] = await cameraPath(pipeline, frames, { embed: 'none' });
  const [trackedEmbed, everyFrameEmbed] = await cameraPath(pipeline, frames, { embed: 'primary' });
  return { frames: frames.length, tracked, everyFrame, trackedEmbed, everyFrameEmbed };
}

type ChildFigures = Record<Stage, number> & { camera: CameraFigures; embedInt8?: number };

async function child(threads: number, rounds: number, frames: number): Promise<ChildFigures> {
  const pipeline = await createNodePipeline({ threads, models: ['scout'] });
  const images = SAMPLE.flatMap((name) => [1, 2].map((i) => decodeFile(lfwImage(name, i))));
  const times: Record<Stage, number[]> = { detect: [], landmarks: [], align: [], embed: [], chain: [] };
  const session = pipeline.models.get('embedder');
  // The int8 embedder (npm run models:quantize; not what the app loads), timed on the same crops right
  // after the float one, outside the chain.
  const int8 = hasQuantised ? await ort.InferenceSession.create(readFileSync(quantisedPath), { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 }) : undefined;
  const int8Times: number[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    for (const img of images) {
      const t0 = performance.now();
      const [face] = await pipeline.detect(img);
      if (!face) throw new Error('no face in a benchmark photo');
      const t1 = performance.now();
      const points = fivePoints(await pipeline.landmarks(img, face.box));
      const t2 = performance.now();
      const tensor = alignedTensor(img, points);
      const t3 = performance.now();
      await embedTensor(ort, session, tensor);
      const t4 = performance.now();
      if (int8) {
        await embedTensor(ort, int8, tensor);
        if (r > 0) int8Times.push(performance.now() - t4);
      }
      if (r === 0) continue; // warm-up round: first runs compile kernels
      times.detect.push(t1 - t0);
      times.landmarks.push(t2 - t1);
      times.align.push(t3 - t2);
      times.embed.push(t4 - t3);
      times.chain.push(t4 - t0);
    }
  }
  const stages = Object.fromEntries(STAGES.map((s) => [s, median(times[s])])) as Record<Stage, number>;
  const cameraFigures = await camera(pipeline, frames);
  await int8?.release();
  await pipeline.release();
  return { ...stages, camera: cameraFigures, ...(int8 ? { embedInt8: median(int8Times) } : {}) };
}

const args = parseArgs(process.argv.slice(2));
const rounds = Number(args.get('rounds') ?? 5);
const frameCount = Number(args.get('frames') ?? 150);
if (args.has('child')) {
  console.log(JSON.stringify(await child(Number(args.get('threads')), rounds, frameCount)));
} else {
  for (const [ok, reason] of [[hasLfw, noLfwReason], [hasMedia, noMediaReason]] as const) {
    if (!ok) {
      console.error(`bench:pipeline needs real faces: ${reason}`);
      process.exit(1);
    }
  }
  const self = fileURLToPath(import.meta.url);
  const loadAtStart = loadavg()[0] as number;
  const results: Record<string, ChildFigures> = {};
  for (const threads of [1, 2]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', '--threads', String(threads), '--rounds', String(rounds), '--frames', String(frameCount)], { encoding: 'utf8' });
    results[`threads${threads}`] = JSON.parse(out.trim().split('\n').pop() as string);
  }
  console.log(`median ms over ${SAMPLE.length * 2} LFW photos x ${rounds} rounds (WASM)`);
  console.log(`stage      ${'1 thread'.padStart(10)} ${'2 threads'.padStart(10)}`);
  for (const s of STAGES) console.log(`${s.padEnd(10)} ${results.threads1![s].toFixed(2).padStart(10)} ${results.threads2![s].toFixed(2).padStart(10)}`);
  const int8Cell = (r: ChildFigures | undefined) => (r?.embedInt8 ?? NaN).toFixed(2).padStart(10);
  if (hasQuantised) console.log(`${'embed int8'.padEnd(10)} ${int8Cell(results.threads1)} ${int8Cell(results.threads2)}   (${QUANTISED_FILE}, not in the chain; eval:quantised for its accuracy)`);
  else console.log(`embed int8: not timed, ${noQuantisedReason}`);
  const c1 = results.threads1!.camera;
  const c2 = results.threads2!.camera;
  console.log(`\ncamera path, ${c2.frames} frames of ${CLIP} (person A), ms per frame, median / p95 (full detections)`);
  console.log(`${''.padEnd(34)} ${'1 thread'.padStart(22)} ${'2 threads'.padStart(22)}`);
  const cell = (f: PathFigures) => `${f.median.toFixed(1)} / ${f.p95.toFixed(1)} (${f.detections})`.padStart(22);
  const rows: [string, keyof CameraFigures][] = [
    ['tracked, no template', 'tracked'],
    ['detect every frame, no template', 'everyFrame'],
    ['tracked, template every frame', 'trackedEmbed'],
    ['detect every frame, template', 'everyFrameEmbed'],
  ];
  for (const [label, key] of rows) console.log(`${label.padEnd(34)} ${cell(c1[key] as PathFigures)} ${cell(c2[key] as PathFigures)}`);
  const ratio = (c: CameraFigures) => Number((c.tracked.median / c.everyFrame.median).toFixed(3));
  console.log(`tracked / detect-every-frame median, no template: ${ratio(c1)} (1 thread), ${ratio(c2)} (2 threads)`);
  const agreement = c2.tracked.consistency;
  if (agreement) console.log(`tracked frames: predicted box vs new landmarks' box IoU min ${agreement.min}, 5th percentile ${agreement.p5} (a face counts as lost below ${TRACKER_DEFAULTS.minConsistency})`);
  for (const r of Object.values(results)) Object.assign(r.camera, { ratio: ratio(r.camera) });
  const load = [loadAtStart, loadavg()[0] as number].map((l) => Number(l.toFixed(2)));
  console.log(`1-minute load average ${load[0]} at the start, ${load[1]} at the end`);
  console.log(JSON.stringify({ bench: 'pipeline', backend: 'wasm', unit: 'ms median', loadAverage: load, ...results }));
}
