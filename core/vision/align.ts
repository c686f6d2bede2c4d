// Stage 3: similarity alignment of the five points onto the ArcFace 112x112 template. A 3-point
// affine drifts (cosine 0.905 against this on the same photo), so it is least squares over all five.
import { sampleTensor, type AffineMap, type Point, type RgbaImage, type TensorSpec } from './image';
import type { FivePoints } from './landmarks';

export const ALIGNED_SIZE = 112;
export const ARCFACE_TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** dst ~ s*R*src + t, as [a -b; b a] + t: the least-squares (Umeyama) similarity, no reflection. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i]!.x; msy += src[i]!.y; mdx += dst[i]!.x; mdy += dst[i]!.y;
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i]!.x - msx, sy = src[i]!.y - msy;
    const dx = dst[i]!.x - mdx, dy = dst[i]!.y - mdy;
    num1 += sx * dx + sy * dy;
    num2 += sx * dy - sy * dx;
    den += sx * sx + sy * sy;
  }
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

/** The map from aligned-crop pixels back to image pixels (the inverse of the similarity). */
export function alignmentMap(points: FivePoints): AffineMap {
  const t = similarityTransform(points, ARCFACE_TEMPLATE);
  const det = t.a * t.a + t.b * t.b;
  const ia = t.a / det;
  const ib = -t.b / det;
  // inverse of [a -b; b a] is [a b; -b a]/det; source = inv * (dst - t)
  return {
    a: ia, b: -ib, c: -(ia * t.tx - ib * t.ty),
    d: ib, e: ia, f: -(ib * t.tx + ia * t.ty),
  };
}

/** The aligned face as the embedder's input tensor (RGB, (p-127)/128, NCHW). */
export function alignedTensor(img: RgbaImage, points: FivePoints, flip = false): Float32Array {
  const spec: TensorSpec = { width: ALIGNED_SIZE, height: ALIGNED_SIZE, sampling: 'rgb', mean: 127, scale: 1 / 128, flip };
  return sampleTensor(img, alignmentMap(points), spec);
}
