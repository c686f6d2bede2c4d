// The passive liveness model (MiniFASNet, `liveness` in models/manifest.json). Alone it passes still
// photos, so the liveness rule (core/liveness) pairs it with an active challenge (blink, head turn);
// this stage only reports the model's probability of "live", the passive score (`passive` in every type).
import type { Ort, Session } from './sessions';
import { boxMap, sampleTensor, type Box, type RgbaImage } from './image';

const SIZE = 128;
const CONTEXT = 2.7;

/**
 * The detector box enlarged 2.7x about its centre (less when the image is smaller, one scale for both
 * sides so the face keeps its shape), shifted (not clipped) to stay inside the image.
 */
export function passiveCrop(box: Box, width: number, height: number): Box {
  const bw = box.x2 - box.x1;
  const bh = box.y2 - box.y1;
  const scale = Math.min(CONTEXT, (width - 1) / bw, (height - 1) / bh);
  const w = bw * scale;
  const h = bh * scale;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const x1 = Math.min(Math.max(0, cx - w / 2), width - w);
  const y1 = Math.min(Math.max(0, cy - h / 2), height - h);
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}

export async function passiveModelScore(ort: Ort, session: Session, img: RgbaImage, box: Box): Promise<number> {
  const crop = passiveCrop(box, img.width, img.height);
  // BGR, raw 0..255: the model (Silent-Face MiniFASNet) was trained on OpenCV images. Measured on the
  // webcam clips: RGB gave live frames 0.25-0.75, BGR gives 0.97-1.00.
  const input = sampleTensor(img, boxMap(crop, SIZE, SIZE), { width: SIZE, height: SIZE, sampling: 'bgr', mean: 0, scale: 1 });
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
  return softmax(out.output?.data as Float32Array)[0] as number;
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i] as number) - max);
  for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) / sum;
  return p;
}
