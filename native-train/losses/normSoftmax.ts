// Normalised softmax (NormFace eq. 6): cross-entropy over s * cos(f, W_j), no bias (Prop. 1).
import type { Floats } from '../floats';
import type { CosineBatch, LossValue } from './cosines';

let exps = new Float64Array(0);

/** Adds weight * dL/dcos into grad (same layout as cos) and returns the loss and dL/ds, unweighted. */
export function normSoftmaxLoss(batch: CosineBatch, scale: number, grad: Floats, weight = 1): LossValue {
  const { cos, labels, rows, classes, stride } = batch;
  const inv = 1 / rows;
  let loss = 0;
  let dScale = 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r] as number;
    if (y < 0) continue; // an unknown face has no class to be classified into
    const o = r * stride;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, scale * (cos[o + j] as number));
    // One exp per entry: keep them in `exps` for the gradient pass.
    if (exps.length < classes) exps = new Float64Array(classes);
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp(scale * (cos[o + j] as number) - max);
      exps[j] = e;
      sum += e;
    }
    loss += max + Math.log(sum) - scale * (cos[o + y] as number);
    const norm = 1 / sum;
    for (let j = 0; j < classes; j++) {
      const c = cos[o + j] as number;
      const p = (exps[j] as number) * norm - (j === y ? 1 : 0);
      dScale += p * c;
      grad[o + j] = (grad[o + j] as number) + weight * scale * p * inv;
    }
  }
  return { loss: loss * inv, dScale: dScale * inv };
}

/**
 * NormFace Prop. 2: with n classes and every sample exactly on its agent, the normalised softmax loss
 * cannot go below this at scale s (s = l^2 for features and agents of length l).
 */
export function softmaxLowerBound(n: number, scale: number): number {
  return Math.log1p((n - 1) * Math.exp(-(n / (n - 1)) * scale));
}
