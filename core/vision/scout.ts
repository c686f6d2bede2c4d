// The tracker's cheap face check: MediaPipe BlazeFace (front, 128x128) over one square region of the
// frame. About a third of the full detector's cost; it misses faces under ~1/8 of the region, so
// the tracker gives it regions the size of the frame's height, or a crop about a tracked face.
import type { Ort, Session } from './sessions';
import { boxMap, sampleTensor, type Box, type RgbaImage } from './image';
import { iou } from './detect';

export interface ScoutFace {
  /** Face box in image pixels (BlazeFace's box: tighter than the detector's, forehead excluded). */
  box: Box;
  score: number;
}

const SIZE = 128;
export const SCOUT_THRESHOLD = 0.5;
const NMS_IOU = 0.3;
// Two anchor grids: 16x16 cells with 2 anchors each, then 8x8 cells with 6.
const GRIDS = [
  { cells: 16, anchors: 2, scores: 'Identity:0', boxes: 'Identity_2:0' },
  { cells: 8, anchors: 6, scores: 'Identity_1:0', boxes: 'Identity_3:0' },
] as const;

/** NHWC RGB in [-1, 1], as MediaPipe feeds it. */
function inputTensor(img: RgbaImage, region: Box): Float32Array {
  const planar = sampleTensor(img, boxMap(region, SIZE, SIZE), { width: SIZE, height: SIZE, sampling: 'rgb', mean: 127.5, scale: 1 / 127.5 });
  const plane = SIZE * SIZE;
  const out = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    out[3 * i] = planar[i] as number;
    out[3 * i + 1] = planar[i + plane] as number;
    out[3 * i + 2] = planar[i + 2 * plane] as number;
  }
  return out;
}

/** Faces inside `region` (any rectangle; it is resized to 128x128, so keep it about square), best first. */
export async function scoutFaces(ort: Ort, session: Session, img: RgbaImage, region: Box, threshold = SCOUT_THRESHOLD): Promise<ScoutFace[]> {
  const out = await session.run({ 'input:0': new ort.Tensor('float32', inputTensor(img, region), [1, SIZE, SIZE, 3]) });
  const sx = (region.x2 - region.x1) / SIZE;
  const sy = (region.y2 - region.y1) / SIZE;
  const logit = Math.log(threshold / (1 - threshold));
  const candidates: ScoutFace[] = [];
  for (const grid of GRIDS) {
    const scores = out[grid.scores]?.data as Float32Array;
    const boxes = out[grid.boxes]?.data as Float32Array;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      if (s < logit) continue;
      const cell = Math.floor(i / grid.anchors);
      const ax = ((cell % grid.cells) + 0.5) * (SIZE / grid.cells);
      const ay = (Math.floor(cell / grid.cells) + 0.5) * (SIZE / grid.cells);
      const cx = ax + (boxes[16 * i] as number);
      const cy = ay + (boxes[16 * i + 1] as number);
      const w = boxes[16 * i + 2] as number;
      const h = boxes[16 * i + 3] as number;
      candidates.push({
        box: { x1: region.x1 + (cx - w / 2) * sx, y1: region.y1 + (cy - h / 2) * sy, x2: region.x1 + (cx + w / 2) * sx, y2: region.y1 + (cy + h / 2) * sy },
        score: 1 / (1 + Math.exp(-s)),
      });
    }
  }
  return weightedNms(candidates);
}

/** MediaPipe's weighted NMS: each kept face is the score-weighted mean of the boxes it suppresses. */
function weightedNms(candidates: ScoutFace[]): ScoutFace[] {
  const rest = [...candidates].sort((p, q) => q.score - p.score);
  const kept: ScoutFace[] = [];
  while (rest.length > 0) {
    const top = rest[0] as ScoutFace;
    const group = rest.filter((c) => iou(c.box, top.box) > NMS_IOU);
    const total = group.reduce((s, c) => s + c.score, 0);
    const mean = (k: keyof Box) => group.reduce((s, c) => s + c.box[k] * c.score, 0) / total;
    kept.push({ box: { x1: mean('x1'), y1: mean('y1'), x2: mean('x2'), y2: mean('y2') }, score: top.score });
    for (let i = rest.length - 1; i >= 0; i--) if (group.includes(rest[i] as ScoutFace)) rest.splice(i, 1);
  }
  return kept;
}
