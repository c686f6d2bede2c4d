// Eyes open or closed, for enrollment quality and the blink challenge of the liveness check.
import type { Ort, Session } from './sessions';
import { boxMap, sampleTensor, type RgbaImage } from './image';
import type { Landmarks68 } from './landmarks';
import { softmax } from './passiveModel';

const SIZE = 24;
const PADDING = 1.6;

export interface EyeState {
  /** Probability each eye is open (subject's right eye first). */
  right: number;
  left: number;
}

async function openProbability(ort: Ort, session: Session, img: RgbaImage, lm: Landmarks68, corner: number): Promise<number> {
  // Eye centre from the lids; side from the eye's corner-to-corner width, as the model was trained.
  const cx = ((lm[2 * (corner + 1)] as number) + (lm[2 * (corner + 2)] as number) + (lm[2 * (corner + 4)] as number) + (lm[2 * (corner + 5)] as number)) / 4;
  const cy = ((lm[2 * (corner + 1) + 1] as number) + (lm[2 * (corner + 2) + 1] as number) + (lm[2 * (corner + 4) + 1] as number) + (lm[2 * (corner + 5) + 1] as number)) / 4;
  const side = Math.max(4, ((lm[2 * (corner + 3)] as number) - (lm[2 * corner] as number)) * PADDING);
  const box = { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
  const input = sampleTensor(img, boxMap(box, SIZE, SIZE), { width: SIZE, height: SIZE, sampling: 'grey', mean: 0, scale: 1 / 255 });
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, 1, SIZE, SIZE]) });
  return softmax(out.output?.data as Float32Array)[EYE_OPEN_CLASS] as number;
}

/** Index of the "open" class in the model's output (checked on LFW photos, whose eyes are open: class 0 scored near zero on them). */
export const EYE_OPEN_CLASS = 1;

export async function eyeState(ort: Ort, session: Session, img: RgbaImage, lm: Landmarks68): Promise<EyeState> {
  return { right: await openProbability(ort, session, img, lm, 36), left: await openProbability(ort, session, img, lm, 42) };
}
