// C-contrastive (NormFace eq. 10): pull each template onto its own agent, push every other agent
// out of the margin: |f - W_y|^2 + sum_{j != y} max(0, m - |f - W_j|^2), with |f - W|^2 = 2 - 2 cos.
import type { Floats } from '../floats';
import type { CosineBatch, LossValue } from './cosines';

export const C_CONTRASTIVE_MARGIN = 1;

export function cContrastiveLoss(batch: CosineBatch, grad: Floats, weight = 1, margin = C_CONTRASTIVE_MARGIN): LossValue {
  const { cos, labels, rows, classes, stride } = batch;
  const inv = 1 / rows;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r] as number;
    const o = r * stride;
    for (let j = 0; j < classes; j++) {
      const d = 2 - 2 * (cos[o + j] as number);
      if (j === y) {
        loss += d;
        grad[o + j] = (grad[o + j] as number) - weight * 2 * inv;
      } else if (margin - d > 0) {
        loss += margin - d;
        grad[o + j] = (grad[o + j] as number) + weight * 2 * inv;
      }
    }
  }
  return { loss: loss * inv, dScale: 0 };
}
