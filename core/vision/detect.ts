// Stage 1: find every face. UltraFace RFB-320 with priors and box decoding inside the graph.
import type { Ort, Session } from './sessions';
import { boxMap, checkImage, sampleTensor, type Box, type RgbaImage } from './image';

export interface Detection {
  box: Box;
  score: number;
}

const INPUT_W = 320;
const INPUT_H = 240;
export const DETECTION_THRESHOLD = 0.7;
const NMS_IOU = 0.3;

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression by score, overlap measured against the union. */
export function nonMaxSuppression(candidates: Detection[], threshold = NMS_IOU): Detection[] {
  const sorted = [...candidates].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  for (const c of sorted) if (kept.every((k) => iou(k.box, c.box) <= threshold)) kept.push(c);
  return kept;
}

/** All faces in the image, best first, boxes in image pixels. */
export async function detectFaces(ort: Ort, session: Session, img: RgbaImage, threshold = DETECTION_THRESHOLD): Promise<Detection[]> {
  checkImage(img);
  const input = sampleTensor(img, boxMap({ x1: 0, y1: 0, x2: img.width, y2: img.height }, INPUT_W, INPUT_H), {
    width: INPUT_W,
    height: INPUT_H,
    sampling: 'rgb',
    mean: 127,
    scale: 1 / 128,
  });
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, 3, INPUT_H, INPUT_W]) });
  const scores = out.scores?.data as Float32Array;
  const boxes = out.boxes?.data as Float32Array;
  const candidates: Detection[] = [];
  const n = scores.length / 2;
  for (let i = 0; i < n; i++) {
    const score = scores[2 * i + 1] as number;
    if (score < threshold) continue;
    const x1 = Math.max(0, (boxes[4 * i] as number) * img.width);
    const y1 = Math.max(0, (boxes[4 * i + 1] as number) * img.height);
    const x2 = Math.min(img.width, (boxes[4 * i + 2] as number) * img.width);
    const y2 = Math.min(img.height, (boxes[4 * i + 3] as number) * img.height);
    if (x2 - x1 < 2 || y2 - y1 < 2) continue;
    candidates.push({ box: { x1, y1, x2, y2 }, score });
  }
  return nonMaxSuppression(candidates);
}
