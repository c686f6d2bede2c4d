// NormFace's L2 normalisation and the cosine on the unit hypersphere. Every Template passes through
// `l2normalise`, so comparing two templates is a plain dot product.

/** eps is added to the sum of squares, as in the paper's released code. */
export const NORMFACE_EPS = 1e-6;

/** Template: a unit-length embedding on the NormFace hypersphere. */
export type Template = Float32Array;

export function l2normalise(x: ArrayLike<number>, out: Float32Array = new Float32Array(x.length)): Float32Array {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] as number) * (x[i] as number);
  const inv = 1 / Math.sqrt(sum + NORMFACE_EPS);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] as number) * inv;
  return out;
}

/** Cosine of two unit vectors (their dot product). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function isUnit(x: ArrayLike<number>, tolerance = 1e-3): boolean {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isFinite(v)) return false;
    sum += v * v;
  }
  return Math.abs(Math.sqrt(sum) - 1) <= tolerance;
}

/** The normalised mean of several templates: one template that stands for all of them. */
export function meanTemplate(templates: readonly ArrayLike<number>[]): Template {
  const first = templates[0];
  if (!first) throw new RangeError('meanTemplate needs at least one template');
  const acc = new Float32Array(first.length);
  for (const t of templates) for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (t[i] as number);
  return l2normalise(acc);
}
