// The vision worker: owns the FacePipeline (all five models) and runs it off the UI thread, so the
// camera preview never waits for inference. One frame at a time; the UI sends the next when this
// one's result arrives.
import * as ort from 'onnxruntime-web/webgpu';
import { VisionError } from '../../../core/vision/errors';
import { FacePipeline } from '../../../core/vision/pipeline';
import { FaceTracker } from '../../../core/vision/track';
import type { Box } from '../../../core/vision/image';
import type { FaceResult, FrameOptions, FrameResult, FromWorker, InitRequest, PhotoResult, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let pipeline: Promise<FacePipeline> | null = null;
// Camera frames go through the tracker (one per worker: frames arrive in order, one at a time).
let tracker: FaceTracker | null = null;
let canvas: OffscreenCanvas | null = null;
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/**
 * WASM threads: one core is left to the UI thread (video decode, preview, React), so the preview does
 * not stutter; on 2 shared cores, 2 ORT threads measured less than half the frame rate of 1 (bench:ui).
 */
function wasmThreads(): number {
  if (!scope.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
}

async function init(request: InitRequest): Promise<FacePipeline> {
  ort.env.wasm.wasmPaths = request.ortBase;
  const loadModel = async (file: string) => {
    const res = await fetch(request.modelBase + file);
    if (!res.ok) throw new Error(`the app's host answered HTTP ${res.status} for ${file}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const p = await FacePipeline.create(ort, loadModel, { backend: request.backend, models: ['liveness', 'eyes', 'scout'], threads: wasmThreads() });
  tracker = request.tracking ? new FaceTracker(p) : null;
  return p;
}

/** Draws the bitmap into the worker's canvas and reads its pixels back. */
function pixels(bitmap: ImageBitmap): { img: ImageData; ctx: OffscreenCanvasRenderingContext2D } {
  const { width, height } = bitmap;
  if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser gives workers no 2D canvas');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { img: ctx.getImageData(0, 0, width, height), ctx };
}

const THUMB = 128;

/** A square JPEG around the face, small enough for the store's 64 KiB limit. */
async function thumbnail(source: OffscreenCanvas, box: Box): Promise<Uint8Array> {
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * 1.5;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const out = new OffscreenCanvas(THUMB, THUMB);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('this browser gives workers no 2D canvas');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, THUMB, THUMB);
  ctx.drawImage(source, cx - side / 2, cy - side / 2, side, side, 0, 0, THUMB, THUMB);
  const blob = await out.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  return new Uint8Array(await blob.arrayBuffer());
}

async function analyseFrame(bitmap: ImageBitmap, options: FrameOptions) {
  const p = await (pipeline ?? Promise.reject(new Error('the vision worker was not started')));
  const t0 = performance.now();
  const { img } = pixels(bitmap);
  const analyseOptions = { embed: options.embed ? ('primary' as const) : ('none' as const), passive: options.passive, eyes: options.eyes, patch: options.patch === true };
  const analysis = tracker && !options.detect ? await tracker.analyse(img, analyseOptions) : await p.analyse(img, analyseOptions);
  const transfer: Transferable[] = [];
  const faces: FaceResult[] = [];
  for (const [i, f] of analysis.faces.entries()) {
    const face: FaceResult = { box: f.detection.box, score: f.detection.score, landmarks: f.landmarks, points: f.points, quality: f.quality };
    if (f.template) {
      face.template = f.template;
      transfer.push(f.template.buffer);
    }
    if (f.passive !== undefined) face.passive = f.passive;
    if (f.eyes) face.eyes = { left: f.eyes.left, right: f.eyes.right };
    if (f.track !== undefined) face.track = f.track;
    if (f.patch) {
      face.patch = f.patch;
      transfer.push(f.patch.luma.buffer);
    }
    if (i === 0 && options.thumbnail && canvas) {
      face.thumbnail = await thumbnail(canvas, f.detection.box);
      transfer.push(face.thumbnail.buffer);
    }
    faces.push(face);
  }
  const result: FrameResult = { width: analysis.width, height: analysis.height, faces, guidance: analysis.guidance, timings: analysis.timings, workMs: performance.now() - t0 };
  if (analysis.tracking) result.tracking = analysis.tracking;
  return { result, transfer };
}

async function analysePhoto(file: Blob): Promise<{ result: PhotoResult; transfer: Transferable[] }> {
  const p = await (pipeline ?? Promise.reject(new Error('the vision worker was not started')));
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { result: { ok: false, code: 'unreadable', message: 'This file is not an image the app can read (JPEG, PNG, WebP or BMP).' }, transfer: [] };
  }
  try {
    const { img } = pixels(bitmap);
    const { template, face } = await p.enrollmentTemplate(img);
    const thumb = await thumbnail(canvas as OffscreenCanvas, face.detection.box);
    return { result: { ok: true, template, quality: face.quality, thumbnail: thumb }, transfer: [template.buffer, thumb.buffer] };
  } catch (e) {
    if (e instanceof VisionError) return { result: { ok: false, code: e.code, message: e.message }, transfer: [] };
    throw e;
  }
}

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'init') {
    pipeline = init(message);
    pipeline.then(
      (p) => post({ type: 'ready', backend: p.backend, threads: p.threads, tracking: tracker !== null, fallbackReason: p.models.fallbackReason ?? null, crossOriginIsolated: scope.crossOriginIsolated }),
      (e: unknown) => post({ type: 'init-failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  const { id } = message;
  const fail = (e: unknown) => post({ type: 'failed', id, message: e instanceof Error ? e.message : String(e) });
  // One job at a time: the UI keeps a second frame queued here so the worker never waits for it,
  // but sessions and the shared canvas must not be used by two frames at once.
  queue = queue.then(() =>
    message.type === 'frame'
      ? analyseFrame(message.bitmap, message.options).then(({ result, transfer }) => post({ type: 'frame', id, result }, transfer), fail)
      : analysePhoto(message.file).then(({ result, transfer }) => post({ type: 'photo', id, result }, transfer), fail),
  );
};
