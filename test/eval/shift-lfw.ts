// npx tsx test/eval/shift-lfw.ts [--people 300] [--per-person 3]
// A shifted copy of part of LFW, standing in for "another camera": greyscale, downscaled to 90 px wide
// and back (bilinear), contrast lowered to 60% around mid-grey, saved as JPEG under .cache/lfw-shifted/
// (outside git), and embedded through the same pipeline into its own cache there (one .f32 per image,
// so an interrupted run keeps its progress). People: View 1's test people (peopleDevTest.txt, never
// used by the decision calibration) with two or more photos, in list order.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import type { RgbaImage } from '../../core/vision/image';
import { decodeFile } from '../support/decode';
import { createNodePipeline } from '../support/node-pipeline';
import { progressBar } from '../support/progress';
import { lfwImage, lfwRoot, repoRoot } from '../support/shared';
import { parseArgs } from './args';
import { embedLfwFile, MODEL_ID } from './embeddings';
import { readPeople } from './lfw-lists';

export const SHIFT = { width: 90, contrast: 0.6, quality: 90 };
export const shiftedRoot = join(repoRoot, '.cache', 'lfw-shifted');

/** Greyscale, down to SHIFT.width px wide and back up, contrast scaled around 128. */
export function shiftImage(img: RgbaImage): RgbaImage {
  const { width: w, height: h, data } = img;
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = 0.299 * (data[4 * i] as number) + 0.587 * (data[4 * i + 1] as number) + 0.114 * (data[4 * i + 2] as number);
  const sw = SHIFT.width;
  const sh = Math.max(1, Math.round((h * sw) / w));
  // Down: area average over each small pixel's footprint.
  const small = new Float32Array(sw * sh);
  for (let y = 0; y < sh; y++) {
    const y0 = Math.floor((y * h) / sh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / sh));
    for (let x = 0; x < sw; x++) {
      const x0 = Math.floor((x * w) / sw);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / sw));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += grey[yy * w + xx] as number;
      small[y * sw + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  // Up: bilinear, pixel centres aligned.
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / h - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / w - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = fx - x0;
      const v =
        (1 - wy) * ((1 - wx) * (small[y0 * sw + x0] as number) + wx * (small[y0 * sw + x1] as number)) +
        wy * ((1 - wx) * (small[y1 * sw + x0] as number) + wx * (small[y1 * sw + x1] as number));
      const c = Math.max(0, Math.min(255, Math.round(128 + SHIFT.contrast * (v - 128))));
      out[4 * (y * w + x)] = c;
      out[4 * (y * w + x) + 1] = c;
      out[4 * (y * w + x) + 2] = c;
      out[4 * (y * w + x) + 3] = 255;
    }
  }
  return { width: w, height: h, data: out };
}

/** The people the shifted copy holds: View 1 test people with >= 2 photos, at most `perPerson` photos each. */
export function shiftedPeople(maxPeople: number, perPerson: number, root = lfwRoot): { name: string; images: string[] }[] {
  return readPeople('peopleDevTest.txt', root)
    .filter((p) => p.count >= 2)
    .slice(0, maxPeople)
    .map((p) => ({ name: p.name, images: Array.from({ length: Math.min(perPerson, p.count) }, (_, i) => lfwImage(p.name, i + 1)) }));
}

const tag = MODEL_ID.replace(/[^\w.-]+/g, '_');
const shiftedPath = (original: string, ext: string) => join(shiftedRoot, 'images', original.slice(join(lfwRoot, 'images').length + 1).replace(/\.jpg$/, ext));

/**
 * Templates of the shifted copies of `originals` (LFW image paths), keyed by the original path:
 * writes each shifted JPEG and embeds it once; later calls read the cached templates.
 */
export async function embedShifted(originals: readonly string[], onProgress?: (done: number, total: number) => void): Promise<Map<string, Float32Array>> {
  const result = new Map<string, Float32Array>();
  const todo: string[] = [];
  for (const path of originals) {
    const cached = shiftedPath(path, `.${tag}.f32`);
    if (existsSync(cached)) {
      const b = readFileSync(cached);
      result.set(path, new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
    } else todo.push(path);
  }
  onProgress?.(result.size, originals.length);
  if (todo.length === 0) return result;
  const pipeline = await createNodePipeline({ threads: 1 });
  try {
    for (const path of todo) {
      const image = shiftedPath(path, '.jpg');
      mkdirSync(dirname(image), { recursive: true });
      if (!existsSync(image)) {
        const shifted = shiftImage(decodeFile(path));
        writeFileSync(image, jpeg.encode({ width: shifted.width, height: shifted.height, data: Buffer.from(shifted.data) }, SHIFT.quality).data);
      }
      const e = await embedLfwFile(pipeline, image);
      writeFileSync(shiftedPath(path, `.${tag}.f32`), Buffer.from(e.template.buffer, e.template.byteOffset, e.template.byteLength));
      result.set(path, e.template);
      onProgress?.(result.size, originals.length);
    }
  } finally {
    await pipeline.release();
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseArgs(process.argv.slice(2));
  const people = shiftedPeople(Number(args.get('people') ?? 300), Number(args.get('per-person') ?? 3));
  const images = people.flatMap((p) => p.images);
  const t0 = Date.now();
  await embedShifted(images, progressBar('shifted LFW'));
  console.log(`shifted copy: ${people.length} people, ${images.length} images under ${shiftedRoot} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(JSON.stringify({ people: people.length, images: images.length, dir: shiftedRoot, shift: SHIFT }));
}
