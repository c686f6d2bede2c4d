// Gradient checks in float64: every loss and the normalisation layer against central differences.
import { describe, expect, it } from 'vitest';
import type { Floats } from '../../native-train/floats';
import { evaluateLoss, defaultLossSettings, lossKinds, type LossKind } from '../../native-train/losses/loss';
import { normalizeRows, normalizeRowsBackward } from '../../native-train/normalize';
import { gaussian, seededRandom } from '../../native-train/prng';

const random = seededRandom(42);
const randn = (n: number): Float64Array => Float64Array.from({ length: n }, () => gaussian(random));

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += ((a[i] as number) - (b[i] as number)) ** 2;
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nb), 1e-12);
}

function numericGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i] as number;
    x[i] = keep + h; const up = f(x);
    x[i] = keep - h; const down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

describe('L2 normalisation layer', () => {
  it('backward matches finite differences (rows of several lengths)', () => {
    const rows = 4, dim = 7;
    const x = randn(rows * dim);
    x.subarray(0, dim).forEach((_, i, a) => { a[i] = (a[i] as number) * 1e-2; }); // a short row: eps matters less than 1/|x|
    const weights = randn(rows * dim);
    const loss = (v: Float64Array): number => {
      const out = new Float64Array(v.length);
      normalizeRows(v, rows, dim, out);
      return out.reduce((s, o, i) => s + o * (weights[i] as number), 0);
    };
    const normalized = new Float64Array(x.length);
    const norms = normalizeRows(x, rows, dim, normalized);
    const analytic = new Float64Array(x.length);
    normalizeRowsBackward(weights, normalized, norms, rows, dim, analytic);
    expect(relativeError(analytic, numericGradient(loss, x))).toBeLessThan(1e-4);
    // The gradient is orthogonal to x (up to eps): why |x| grows under plain SGD and agents need
    // re-projection. Row 0 is short enough for eps to show, so only the others are checked.
    for (let r = 1; r < rows; r++) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += (analytic[r * dim + i] as number) * (x[r * dim + i] as number);
      expect(Math.abs(dot)).toBeLessThan(1e-6);
    }
  });
});

/** Loss of raw agents W and scale s, through the normalisation layer, for fixed unit features. */
function model(kind: LossKind, features: Float64Array, labels: Int32Array, classes: number, dim: number) {
  const rows = labels.length;
  const settings = { ...defaultLossSettings, kind, lambda: 0.3 };
  const cosines = (w: Float64Array) => {
    const agents = new Float64Array(w.length);
    const norms = normalizeRows(w, classes, dim, agents);
    const cos = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) for (let j = 0; j < classes; j++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += (features[r * dim + i] as number) * (agents[j * dim + i] as number);
      cos[r * classes + j] = s;
    }
    return { agents, norms, cos };
  };
  const value = (w: Float64Array, s: number): number => {
    const { cos } = cosines(w);
    return evaluateLoss({ cos, labels, rows, classes, stride: classes }, s, settings, new Float64Array(cos.length)).total;
  };
  const gradient = (w: Float64Array, s: number): { dW: Float64Array; dS: number } => {
    const { agents, norms, cos } = cosines(w);
    const g: Floats = new Float64Array(cos.length);
    const { dScale } = evaluateLoss({ cos, labels, rows, classes, stride: classes }, s, settings, g);
    const dAgents = new Float64Array(w.length);
    for (let j = 0; j < classes; j++) for (let i = 0; i < dim; i++) {
      let acc = 0;
      for (let r = 0; r < rows; r++) acc += (g[r * classes + j] as number) * (features[r * dim + i] as number);
      dAgents[j * dim + i] = acc;
    }
    const dW = new Float64Array(w.length);
    normalizeRowsBackward(dAgents, agents, norms, classes, dim, dW);
    return { dW, dS: dScale };
  };
  return { value, gradient };
}

describe.each(lossKinds)('loss %s', (kind) => {
  it('gradients wrt the raw agents and the scale match finite differences', () => {
    const rows = 14, classes = 5, dim = 6;
    const features = randn(rows * dim);
    normalizeRows(features, rows, dim);
    // Labels cover every class, plus two unknown faces (-1) acting only as negatives.
    const labels = Int32Array.from({ length: rows }, (_, r) => (r >= rows - 2 ? -1 : r % classes));
    // Agents near their class's features so hinges are active on both sides of the margin.
    const w = randn(classes * dim).map((v) => v * 0.6);
    for (let r = 0; r < rows - 2; r++) for (let i = 0; i < dim; i++) w[(r % classes) * dim + i] = (w[(r % classes) * dim + i] as number) + (features[r * dim + i] as number) * 0.5;
    const { value, gradient } = model(kind, features, labels, classes, dim);
    const s = 3.7;
    const { dW, dS } = gradient(w, s);
    expect(Array.from(dW).some((v) => v !== 0)).toBe(true);
    expect(relativeError(dW, numericGradient((x) => value(x, s), w))).toBeLessThan(1e-4);
    const h = 1e-6;
    const numericS = (value(w, s + h) - value(w, s - h)) / (2 * h);
    if (kind.startsWith('softmax')) expect(relativeError([dS], [numericS])).toBeLessThan(1e-4);
    else expect(dS).toBe(0);
  });
});
