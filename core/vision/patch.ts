// A small grey picture of the face, for the liveness rule's test on pixels (core/liveness/surface.ts):
// the square about the 68 landmarks, sampled down to PATCH_SIZE x PATCH_SIZE luma.
import { boxMap, sampleTensor, type RgbaImage } from './image';

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

/** The patch, through the one sampler every crop uses (image.ts: bilinear, averaging where it shrinks). */
export function facePatch(img: RgbaImage, landmarks: ArrayLike<number>): FacePatch {
  const sq = patchSquare(landmarks);
  const grey = sampleTensor(img, boxMap({ x1: sq.x, y1: sq.y, x2: sq.x + sq.size, y2: sq.y + sq.size }, PATCH_SIZE, PATCH_SIZE), { width: PATCH_SIZE, height: PATCH_SIZE, sampling: 'grey', mean: 0, scale: 1 });
  return { ...sq, luma: Uint8Array.from(grey, (v) => Math.round(v)) };
}
