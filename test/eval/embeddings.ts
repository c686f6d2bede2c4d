// Templates of LFW images through the real pipeline, cached on disk so a rerun takes seconds.
// The cache is append-only (one record per image), so an interrupted run keeps its progress.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { l2normalise, type Template } from '../../core/hypersphere';
import { alignedTensor } from '../../core/vision/align';
import type { Detection } from '../../core/vision/detect';
import type { RgbaImage } from '../../core/vision/image';
import { fivePoints, type FivePoints } from '../../core/vision/landmarks';
import type { FacePipeline } from '../../core/vision/pipeline';
import type { Ort, Session } from '../../core/vision/sessions';
import { runtimeFromEnvironment, type NodeRuntime } from '../../electron/services/vision/pipeline';
import { decodeFile } from '../support/decode';
import { createNodePipeline, loadModelFile } from '../support/node-pipeline';
import { repoRoot } from '../support/shared';
import manifest from '../../models/manifest.json';

export const MODEL_ID = manifest.models.embedder.modelId;
const DIM = 512;

export interface EmbeddedImage {
  /** Template of the aligned face. */
  template: Template;
  /** Template of the aligned face fused with its mirror (sum of raw features, then normalised), when asked for. */
  fused?: Template;
  /** No face was found: the centre of the image was assumed to hold it. */
  fallback: boolean;
  faces: number;
}

// WASM templates keep the original file name; onnxruntime-node's have their own cache, so the two
// runtimes' LFW figures can be compared.
const cacheFileOf = (modelId: string, runtime: 'native' | 'wasm') =>
  join(repoRoot, '.cache', 'embeddings', `${modelId.replace(/[^\w.-]+/g, '_')}${runtime === 'native' ? '.native' : ''}.v1.bin`);

// Record: u16 path length, path (utf-8, relative to the repo's parent), u8 flags (1: fallback,
// 2: fused present), u8 faces, then 512 float32 plain template [and 512 float32 fused template].
function readCache(cacheFile: string): Map<string, EmbeddedImage> {
  const map = new Map<string, EmbeddedImage>();
  if (!existsSync(cacheFile)) return map;
  const buf = readFileSync(cacheFile);
  let o = 0;
  while (o + 2 <= buf.length) {
    const len = buf.readUInt16LE(o);
    if (o + 4 + len > buf.length) break;
    const flags = buf[o + 2 + len] as number;
    let vectors = (flags & 2) === 2 ? 2 : 1;
    // Some records were appended with two vectors but without flag 2 (a writer of an older version
    // running alongside): read past both so the records after them stay readable; the second
    // vector's meaning is unknown, so it is not used.
    if (vectors === 1 && !recordStartsAt(buf, o + 4 + len + 4 * DIM) && recordStartsAt(buf, o + 4 + len + 8 * DIM)) vectors = 0;
    const end = o + 4 + len + (vectors === 0 ? 8 : vectors * 4) * DIM;
    if (end > buf.length) break; // a torn last record from an interrupted run
    const key = buf.toString('utf8', o + 2, o + 2 + len);
    const faces = buf[o + 3 + len] as number;
    const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + o + 4 + len, buf.byteOffset + end));
    const e: EmbeddedImage = { template: floats.subarray(0, DIM), fallback: (flags & 1) === 1, faces };
    if (vectors === 2) e.fused = floats.subarray(DIM);
    map.set(key, e);
    o = end;
  }
  return map;
}

/** Whether a record header (or the end of the file) is at `o`: a short printable path, flags < 4. */
function recordStartsAt(buf: Buffer, o: number): boolean {
  if (o === buf.length) return true;
  if (o + 2 > buf.length) return false;
  const len = buf.readUInt16LE(o);
  if (len === 0 || len > 1024 || o + 4 + len > buf.length || (buf[o + 2 + len] as number) > 3) return false;
  for (let i = o + 2; i < o + 2 + len; i++) if ((buf[i] as number) < 0x20 || buf[i] === 0x7f) return false;
  return true;
}

function appendCache(cacheFile: string, key: string, e: EmbeddedImage): void {
  const path = Buffer.from(key, 'utf8');
  const head = Buffer.alloc(4 + path.length);
  head.writeUInt16LE(path.length, 0);
  path.copy(head, 2);
  head[2 + path.length] = (e.fallback ? 1 : 0) | (e.fused ? 2 : 0);
  head[3 + path.length] = Math.min(255, e.faces);
  const body = new Float32Array((e.fused ? 2 : 1) * DIM);
  body.set(e.template, 0);
  if (e.fused) body.set(e.fused, DIM);
  mkdirSync(dirname(cacheFile), { recursive: true });
  appendFileSync(cacheFile, Buffer.concat([head, Buffer.from(body.buffer)]));
}

const keyOf = (path: string) => relative(join(repoRoot, '..'), path);

/** LFW is centred (deep-funneled): the face nearest the centre is the subject, not a bystander. */
function subject(detections: Detection[], w: number, h: number): Detection | undefined {
  const dist = (d: Detection) => Math.hypot((d.box.x1 + d.box.x2) / 2 - w / 2, (d.box.y1 + d.box.y2) / 2 - h / 2);
  return [...detections].sort((p, q) => dist(p) - dist(q))[0];
}

/** The image decoded with the subject's five points (the same detection and landmarks as every template here). */
export async function locateLfwFace(pipeline: FacePipeline, path: string): Promise<{ img: RgbaImage; points: FivePoints; fallback: boolean; faces: number }> {
  const img = decodeFile(path);
  const detections = await pipeline.detect(img);
  const face = subject(detections, img.width, img.height);
  // Fallback: where deep-funneled LFW puts the face (measured median box), refined by the landmarks.
  const box = face?.box ?? { x1: 0.31 * img.width, y1: 0.24 * img.height, x2: 0.69 * img.width, y2: 0.76 * img.height };
  const points = fivePoints(await pipeline.landmarks(img, box));
  return { img, points, fallback: !face, faces: detections.length };
}

/** `embedder`: another embedder session than the pipeline's (a quantised variant), same input and output. */
export async function embedLfwFile(pipeline: FacePipeline, path: string, flip = false, embedder?: Session): Promise<EmbeddedImage> {
  const { img, points, fallback, faces } = await locateLfwFace(pipeline, path);
  const session = embedder ?? pipeline.models.get('embedder');
  const raw = await rawFeatures(pipeline.ort, session, alignedTensor(img, points));
  const e: EmbeddedImage = { template: l2normalise(raw), fallback, faces };
  if (flip) {
    const mirrored = await rawFeatures(pipeline.ort, session, alignedTensor(img, points, true));
    const sum = new Float32Array(DIM);
    for (let i = 0; i < DIM; i++) sum[i] = (raw[i] as number) + (mirrored[i] as number);
    e.fused = l2normalise(sum);
  }
  return e;
}

async function rawFeatures(ort: Ort, session: Session, tensor: Float32Array): Promise<Float32Array> {
  const out = await session.run({ input: new ort.Tensor('float32', tensor, [1, 3, 112, 112]) });
  return out.output?.data as Float32Array;
}

export interface EmbedOptions {
  onProgress?(done: number, total: number): void;
  threads?: number;
  /** Also compute the flip-fused template. */
  flip?: boolean;
  /** Compute nothing: return only the images already cached (a look at the data while the cache fills). */
  cachedOnly?: boolean;
  /** Another embedder than models/manifest.json's (a quantised variant): its file in models/ and the id its cache is kept under. */
  embedder?: { file: string; modelId: string };
  /** onnxruntime-node ('native', the default where it loads) or onnxruntime-web's WASM. */
  runtime?: NodeRuntime;
}

/** Embedded images by absolute path, computing (and caching) the ones not cached yet. */
export async function embedImages(paths: readonly string[], options: EmbedOptions = {}): Promise<Map<string, EmbeddedImage>> {
  const runtime = (options.runtime ?? runtimeFromEnvironment()) === 'wasm' ? 'wasm' : 'native';
  const cacheFile = cacheFileOf(options.embedder?.modelId ?? MODEL_ID, runtime);
  const cache = readCache(cacheFile);
  const unique = [...new Set(paths)];
  if (options.cachedOnly) {
    const have = unique.filter((p) => { const e = cache.get(keyOf(p)); return e && (!options.flip || e.fused); });
    options.onProgress?.(have.length, have.length);
    return new Map(have.map((p) => [p, cache.get(keyOf(p)) as EmbeddedImage]));
  }
  const todo = unique.filter((p) => {
    const e = cache.get(keyOf(p));
    return !e || (options.flip && !e.fused);
  });
  let done = unique.length - todo.length;
  options.onProgress?.(done, unique.length);
  if (todo.length > 0) {
    const pipeline = await createNodePipeline({ threads: options.threads, runtime });
    const embedder = options.embedder
      ? await pipeline.ort.InferenceSession.create(await loadModelFile(options.embedder.file), { executionProviders: [pipeline.backend], graphOptimizationLevel: 'all', logSeverityLevel: 3 })
      : undefined;
    try {
      for (const path of todo) {
        const e = await embedLfwFile(pipeline, path, options.flip, embedder);
        cache.set(keyOf(path), e);
        appendCache(cacheFile, keyOf(path), e);
        options.onProgress?.(++done, unique.length);
      }
    } finally {
      await embedder?.release();
      await pipeline.release();
    }
  }
  return new Map(unique.map((p) => [p, cache.get(keyOf(p)) as EmbeddedImage]));
}

/** Unit 512-d templates of the given LFW images (cached). */
export async function embedLfwImages(paths: readonly string[], options: EmbedOptions = {}): Promise<Map<string, Float32Array>> {
  const embedded = await embedImages(paths, options);
  return new Map([...embedded].map(([p, e]) => [p, e.template]));
}

