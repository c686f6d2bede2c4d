// NormFace's L2 normalisation layer (sec. 3.2) over the rows of a matrix, forward and backward.
import type { Floats } from './floats';

/** Added to the sum of squares, as in the paper's released code. */
export const NORM_EPS = 1e-6;

/** out[r] = x[r] / sqrt(|x[r]|^2 + eps) for each of `rows` rows of `dim`; returns the norms used. */
export function normalizeRows(x: Floats, rows: number, dim: number, out: Floats = x): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += (x[o + i] as number) ** 2;
    const norm = Math.sqrt(sum + NORM_EPS);
    norms[r] = norm;
    const inv = 1 / norm;
    for (let i = 0; i < dim; i++) out[o + i] = (x[o + i] as number) * inv;
  }
  return norms;
}

/**
 * dL/dx = (dL/dx~ - x~ (dL/dx~ . x~)) / |x|, row by row: the gradient projected onto the tangent of
 * the sphere at x~ (scaled by 1/|x|), which is also what keeps agents on the sphere when stepping.
 * `normalized` holds x~ and `norms` the |x| the forward pass returned; writes into `gradIn`.
 */
export function normalizeRowsBackward(
  gradOut: Floats, normalized: Floats, norms: ArrayLike<number>, rows: number, dim: number, gradIn: Floats = gradOut,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += (gradOut[o + i] as number) * (normalized[o + i] as number);
    const inv = 1 / (norms[r] as number);
    for (let i = 0; i < dim; i++) gradIn[o + i] = ((gradOut[o + i] as number) - (normalized[o + i] as number) * dot) * inv;
  }
}
