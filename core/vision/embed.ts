// Stage 4: the embedder, then NormFace's L2 normalisation: every Template is a unit vector.
import { l2normalise, type Template } from '../hypersphere';
import type { Ort, Session } from './sessions';
import { ALIGNED_SIZE, alignedTensor } from './align';
import type { RgbaImage } from './image';
import type { FivePoints } from './landmarks';

export const EMBEDDING_DIM = 512;

async function runEmbedder(ort: Ort, session: Session, tensor: Float32Array): Promise<Float32Array> {
  const out = await session.run({ input: new ort.Tensor('float32', tensor, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]) });
  return out.output?.data as Float32Array;
}

/**
 * The Template of the face at `points`. With `flip`, the raw features of the crop and its mirror
 * are summed before normalising (the paper's test-time fusion; measured on LFW, see README).
 */
export async function embedFace(ort: Ort, session: Session, img: RgbaImage, points: FivePoints, flip = false): Promise<Template> {
  const raw = await runEmbedder(ort, session, alignedTensor(img, points));
  if (!flip) return l2normalise(raw);
  const mirrored = await runEmbedder(ort, session, alignedTensor(img, points, true));
  const sum = new Float32Array(raw.length);
  for (let i = 0; i < sum.length; i++) sum[i] = (raw[i] as number) + (mirrored[i] as number);
  return l2normalise(sum);
}

/** Embeds an already prepared input tensor (for the centre-crop fallback and for agreement checks). */
export async function embedTensor(ort: Ort, session: Session, tensor: Float32Array): Promise<Template> {
  return l2normalise(await runEmbedder(ort, session, tensor));
}
