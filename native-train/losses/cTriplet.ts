// C-triplet (NormFace eq. 11) with the hardest negative agent only, as in the released prototxts:
// max(0, m + |f - W_y|^2 - min_{k != y} |f - W_k|^2). Unknown faces have no positive: skipped.
import type { Floats } from '../floats';
import type { CosineBatch, LossValue } from './cosines';

export const C_TRIPLET_MARGIN = 0.8;

export function cTripletLoss(batch: CosineBatch, grad: Floats, weight = 1, margin = C_TRIPLET_MARGIN): LossValue {
  const { cos, labels, rows, classes, stride } = batch;
  const inv = 1 / rows;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r] as number;
    if (y < 0) continue;
    const o = r * stride;
    let k = -1;
    let best = -Infinity;
    for (let j = 0; j < classes; j++) {
      if (j !== y && (cos[o + j] as number) > best) {
        best = cos[o + j] as number;
        k = j;
      }
    }
    if (k < 0) continue; // a single class has no negative
    const hinge = margin - 2 * (cos[o + y] as number) + 2 * best;
    if (hinge > 0) {
      loss += hinge;
      grad[o + y] = (grad[o + y] as number) - weight * 2 * inv;
      grad[o + k] = (grad[o + k] as number) + weight * 2 * inv;
    }
  }
  return { loss: loss * inv, dScale: 0 };
}
