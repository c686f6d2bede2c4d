// Pixels in, tensors out. Decoding happens outside the core (createImageBitmap in the renderer,
// jpeg-js in Node); every crop, resize and alignment here is one affine sampling pass.
import { VisionError } from './errors';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, RGBA, row-major. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Larger frames are refused rather than processed slowly: 8K is far beyond any webcam or photo we need. */
export const MAX_PIXELS = 7680 * 4320;
/** Below this no detector can find a face; refuse early with a clear message. */
export const MIN_SIDE = 16;

export function checkImage(img: RgbaImage): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new VisionError('invalid_image', `The image has no usable size (${width}x${height}).`);
  }
  if (width * height > MAX_PIXELS) {
    throw new VisionError('too_large', `The image is ${width}x${height}; images above ${MAX_PIXELS / 1e6} megapixels are not accepted.`);
  }
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new VisionError('invalid_image', `The image is only ${width}x${height} pixels; a face needs at least ${MIN_SIDE}x${MIN_SIDE}.`);
  }
  if (data.length !== width * height * 4) {
    throw new VisionError('invalid_image', `The pixel buffer holds ${data.length} bytes, expected ${width * height * 4} for ${width}x${height} RGBA.`);
  }
}

/**
 * Maps output pixel (u, v) to source position (a*u + b*v + c, d*u + e*v + f), in the pixel-index
 * convention of OpenCV's warpAffine (pixel centres at integers), which the alignment template uses.
 */
export interface AffineMap {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** The map that samples the rectangle `box` of the source into a w x h output. */
export function boxMap(box: Box, w: number, h: number): AffineMap {
  const sx = (box.x2 - box.x1) / w;
  const sy = (box.y2 - box.y1) / h;
  // Centre-aligned so that a plain resize matches cv2.resize (INTER_LINEAR).
  return { a: sx, b: 0, c: box.x1 + 0.5 * sx - 0.5, d: 0, e: sy, f: box.y1 + 0.5 * sy - 0.5 };
}

/** Channel order of the tensor: most models here take RGB; the liveness model was trained on OpenCV's BGR. */
export type Sampling = 'rgb' | 'bgr' | 'grey';

export interface TensorSpec {
  width: number;
  height: number;
  sampling: Sampling;
  /** value = (pixel - mean) * scale, pixel in 0..255 */
  mean: number;
  scale: number;
  /** Mirror horizontally (for flip fusion). */
  flip?: boolean;
}

const clampIndex = (v: number, max: number) => (v < 0 ? 0 : v > max ? max : v);

/**
 * Samples the source through `map` into a planar (NCHW) float tensor. Bilinear, edge pixels
 * replicated; when the map shrinks the source by more than 2x it averages a grid of bilinear
 * samples so a large photo does not alias on its way down to the detector's 320x240.
 */
export function sampleTensor(img: RgbaImage, map: AffineMap, spec: TensorSpec, out?: Float32Array): Float32Array {
  const { width: W, height: H, data } = img;
  const { width: w, height: h, mean, scale } = spec;
  const planes = spec.sampling === 'grey' ? 1 : 3;
  const plane = w * h;
  const [first, third] = spec.sampling === 'bgr' ? [2 * plane, 0] : [0, 2 * plane];
  const tensor = out ?? new Float32Array(plane * planes);
  const shrink = Math.max(Math.hypot(map.a, map.d), Math.hypot(map.b, map.e));
  const grid = shrink > 2 ? Math.min(4, Math.ceil(shrink / 2)) : 1;
  const inv = 1 / (grid * grid);
  const maxX = W - 1;
  const maxY = H - 1;
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let gy = 0; gy < grid; gy++) {
        for (let gx = 0; gx < grid; gx++) {
          const uu = u + (gx + 0.5) / grid - 0.5;
          const vv = v + (gy + 0.5) / grid - 0.5;
          const x = map.a * uu + map.b * vv + map.c;
          const y = map.d * uu + map.e * vv + map.f;
          const x0f = Math.floor(x);
          const y0f = Math.floor(y);
          const fx = x - x0f;
          const fy = y - y0f;
          const x0 = clampIndex(x0f, maxX);
          const x1 = clampIndex(x0f + 1, maxX);
          const y0 = clampIndex(y0f, maxY);
          const y1 = clampIndex(y0f + 1, maxY);
          const i00 = (y0 * W + x0) * 4;
          const i01 = (y0 * W + x1) * 4;
          const i10 = (y1 * W + x0) * 4;
          const i11 = (y1 * W + x1) * 4;
          const w00 = (1 - fx) * (1 - fy);
          const w01 = fx * (1 - fy);
          const w10 = (1 - fx) * fy;
          const w11 = fx * fy;
          r += (data[i00] as number) * w00 + (data[i01] as number) * w01 + (data[i10] as number) * w10 + (data[i11] as number) * w11;
          g += (data[i00 + 1] as number) * w00 + (data[i01 + 1] as number) * w01 + (data[i10 + 1] as number) * w10 + (data[i11 + 1] as number) * w11;
          b += (data[i00 + 2] as number) * w00 + (data[i01 + 2] as number) * w01 + (data[i10 + 2] as number) * w10 + (data[i11 + 2] as number) * w11;
        }
      }
      const o = v * w + (spec.flip ? w - 1 - u : u);
      if (planes === 3) {
        tensor[o + first] = (r * inv - mean) * scale;
        tensor[o + plane] = (g * inv - mean) * scale;
        tensor[o + third] = (b * inv - mean) * scale;
      } else {
        // BT.601 luma, as OpenCV's RGB2GRAY, which the landmark and eye models were trained with.
        tensor[o] = ((0.299 * r + 0.587 * g + 0.114 * b) * inv - mean) * scale;
      }
    }
  }
  return tensor;
}

/** Samples through `map` into an RGBA image (for thumbnails and the aligned crop shown in the UI). */
export function sampleRgba(img: RgbaImage, map: AffineMap, w: number, h: number): RgbaImage {
  const planar = sampleTensor(img, map, { width: w, height: h, sampling: 'rgb', mean: 0, scale: 1 });
  const data = new Uint8ClampedArray(w * h * 4);
  const plane = w * h;
  for (let i = 0; i < plane; i++) {
    data[i * 4] = planar[i] as number;
    data[i * 4 + 1] = planar[i + plane] as number;
    data[i * 4 + 2] = planar[i + 2 * plane] as number;
    data[i * 4 + 3] = 255;
  }
  return { width: w, height: h, data };
}
