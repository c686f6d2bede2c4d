// Shared by the store tests and the crash child: temp folders, seeded unit vectors, real JPEG/PNG
// thumbnails, and a byte search over the database files.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { NewTemplate } from '../../electron/services/store/index';

export const MODEL_ID = 'fr_feature';
export const DIM = 512;

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `normface-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// The same vectors on every run, so a failure can be replayed.
export { seededRandom } from '../../native-train/prng';

export function unitVector(random: () => number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    // Box-Muller: Gaussian components give directions uniform on the sphere, like real embeddings.
    const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    v[i] = g;
    sum += g * g;
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dim; i++) v[i] = v[i]! / norm;
  return v;
}

function pixels(random: () => number, size: number): Buffer {
  const data = Buffer.alloc(size * size * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = Math.floor(random() * 256);
    data[i + 1] = (i >> 4) & 255;
    data[i + 2] = 128;
    data[i + 3] = 255;
  }
  return data;
}

export function jpegThumbnail(random: () => number, size = 32): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: size, height: size, data: pixels(random, size) }, 80).data);
}

export function pngThumbnail(random: () => number, size = 32): Uint8Array {
  const png = new PNG({ width: size, height: size });
  png.data = pixels(random, size);
  return new Uint8Array(PNG.sync.write(png));
}

/** Even templates share one JPEG (jpeg-js takes ~100 ms per encode), odd ones get distinct PNGs. */
export function templates(random: () => number, count: number, withThumbnails = true): NewTemplate[] {
  const jpegFace = withThumbnails ? jpegThumbnail(random) : null;
  return Array.from({ length: count }, (_, i) => ({
    modelId: MODEL_ID,
    vector: unitVector(random),
    quality: { sharpness: random(), yaw: random() * 30 - 15 },
    source: i % 2 === 0 ? 'camera' : 'photo',
    thumbnail: withThumbnails ? (i % 2 === 0 ? jpegFace : pngThumbnail(random)) : null,
  }));
}

/** The database file and its WAL as they are on disk right now (the WAL may be absent). */
export function databaseBytes(file: string): Buffer[] {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
}

export function contains(haystacks: readonly Buffer[], needle: Uint8Array): boolean {
  return haystacks.some((h) => h.indexOf(needle) !== -1);
}

export function floatBytes(vector: Float32Array, index: number, count = 1): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset + index * 4, count * 4);
}
