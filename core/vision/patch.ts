// A small grey picture of the face, for the liveness rule's test on pixels (core/liveness/surface.ts):
// the square about the 68 landmarks, sampled down to PATCH_SIZE x PATCH_SIZE luma by averaging.
import type { RgbaImage } from './image';

export const PATCH_SIZE = 64;

export interface FacePatch {
  /** Top-left corner and side of the square sampled, frame pixels. */
  x: number;
  y: number;
  size: number;
  /** PATCH_SIZE * PATCH_SIZE luma values 0..255, row-major. */
  luma: Uint8Array;
}

/** The square that holds the landmarks with a margin, centred on them. */
export function patchSquare(landmarks: ArrayLike<number>): { x: number; y: number; size: number } {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity; // prettier-ignore
  for (let i = 0; i < landmarks.length; i += 2) {
    const x = landmarks[i] as number;
    const y = landmarks[i + 1] as number;
    x1 = Math.min(x1, x);
    x2 = Math.max(x2, x);
    y1 = Math.min(y1, y);
    y2 = Math.max(y2, y);
  }
  const size = 1.2 * Math.max(x2 - x1, y2 - y1, 1);
  return { x: (x1 + x2) / 2 - size / 2, y: (y1 + y2) / 2 - size / 2, size };
}

export function facePatch(img: RgbaImage, landmarks: ArrayLike<number>): FacePatch {
  const sq = patchSquare(landmarks);
  const n = PATCH_SIZE;
  const cell = sq.size / n;
  const k = Math.max(1, Math.min(4, Math.round(cell)));
  const luma = new Uint8Array(n * n);
  const { width, height, data } = img;
  const at = (x: number, y: number) => {
    const xi = Math.min(width - 1, Math.max(0, Math.round(x)));
    const yi = Math.min(height - 1, Math.max(0, Math.round(y)));
    const o = 4 * (yi * width + xi);
    return 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
  };
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      let sum = 0;
      for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) sum += at(sq.x + (u + (i + 0.5) / k) * cell - 0.5, sq.y + (v + (j + 0.5) / k) * cell - 0.5);
      luma[v * n + u] = Math.round(sum / (k * k));
    }
  }
  return { ...sq, luma };
}
