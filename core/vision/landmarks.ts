// Stage 2: 68 iBUG landmarks from a square crop about the detection, reduced to the five points
// the alignment template uses.
import type { Ort, Session } from './sessions';
import { boxMap, sampleTensor, type Box, type Point, type RgbaImage } from './image';

const SIZE = 64;

/** 68 (x, y) pairs in image pixels, iBUG order (0-based). */
export type Landmarks68 = Float32Array;
/** Subject's right eye (image left), left eye, nose tip, right mouth corner, left mouth corner. */
export type FivePoints = [Point, Point, Point, Point, Point];

/** The square crop the landmark model expects: side = box height, about the box centre. */
export function landmarkCrop(box: Box): Box {
  const side = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
}

export async function locateLandmarks(ort: Ort, session: Session, img: RgbaImage, box: Box): Promise<Landmarks68> {
  const crop = landmarkCrop(box);
  const input = sampleTensor(img, boxMap(crop, SIZE, SIZE), { width: SIZE, height: SIZE, sampling: 'grey', mean: 0, scale: 1 / 256 });
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, 1, SIZE, SIZE]) });
  const raw = out.output?.data as Float32Array;
  const side = crop.x2 - crop.x1;
  const points = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    points[2 * i] = (raw[2 * i] as number) * side + crop.x1;
    points[2 * i + 1] = (raw[2 * i + 1] as number) * side + crop.y1;
  }
  return points;
}

function mean(lm: Landmarks68, indices: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += lm[2 * i] as number;
    y += lm[2 * i + 1] as number;
  }
  return { x: x / indices.length, y: y / indices.length };
}

/** Eye centres from the lids (corners excluded), nose tip, mouth corners averaged outer/inner. */
export function fivePoints(lm: Landmarks68): FivePoints {
  return [mean(lm, [37, 38, 40, 41]), mean(lm, [43, 44, 46, 47]), mean(lm, [30]), mean(lm, [48, 60]), mean(lm, [54, 64])];
}
