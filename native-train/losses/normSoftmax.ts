// Normalised softmax (NormFace eq. 6): cross-entropy over s * cos(f, W_j), no bias (Prop. 1).
import type { Floats } from '../floats';
import type { CosineBatch, LossValue } from './cosines';

let exps = new Float64Array(0);

/** Adds weight * dL/dcos into grad (same layout as cos) and returns the loss and dL/ds, unweighted. */
export function normSoftmaxLoss(batch: CosineBatch, scale: number, grad: Floats, weight = 1): LossValue {
  const { cos, labels, rows, classes, stride } = batch;
  const inv = 1 / rows;
  const g = weight * scale * inv;
  if (exps.length < classes) exps = new Float64Array(classes);
  let loss = 0;
  let dScale = 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r] as number;
    if (y < 0) continue; // an unknown face has no class to be classified into
    const o = r * stride;
    // Cosines of unit vectors are at most 1, so s is a safe shift for exp and saves a pass for the
    // row's maximum; a row that is not made of cosines (sum over- or underflows) takes the exact path.
    let shift = scale;
    let sum = expRow(cos, o, classes, scale, shift);
    if (!(sum > 0 && sum < Infinity)) {
      shift = -Infinity;
      for (let j = 0; j < classes; j++) shift = Math.max(shift, scale * (cos[o + j] as number));
      sum = expRow(cos, o, classes, scale, shift);
    }
    const cy = cos[o + y] as number;
    loss += shift + Math.log(sum) - scale * cy;
    const norm = 1 / sum;
    let dot = 0;
    for (let j = 0; j < classes; j++) {
      const p = (exps[j] as number) * norm;
      dot += p * (cos[o + j] as number);
      grad[o + j] = (grad[o + j] as number) + g * p;
    }
    // The label's one-hot part, taken out of the loop: dL/dcos_y and dL/ds each lose one term.
    grad[o + y] = (grad[o + y] as number) - g;
    dScale += dot - cy;
  }
  return { loss: loss * inv, dScale: dScale * inv };
}

/** exps[j] = exp(scale * cos[o + j] - shift); returns their sum. One exp per entry. */
function expRow(cos: Floats, o: number, classes: number, scale: number, shift: number): number {
  let sum = 0;
  for (let j = 0; j < classes; j++) {
    const e = Math.exp(scale * (cos[o + j] as number) - shift);
    exps[j] = e;
    sum += e;
  }
  return sum;
}

/**
 * NormFace Prop. 2: with n classes and every sample exactly on its agent, the normalised softmax loss
 * cannot go below this at scale s (s = l^2 for features and agents of length l).
 */
export function softmaxLowerBound(n: number, scale: number): number {
  return Math.log1p((n - 1) * Math.exp(-(n / (n - 1)) * scale));
}
