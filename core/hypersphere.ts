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

/** What the one check of a vector entering core found: the wrong length, a non-finite value, or its squared norm. */
export type VectorCheck = { ok: true; squared: number } | { ok: false; length: number } | { ok: false; index: number; value: number };

/** The one check every vector entering core passes (the contract's templates, the matcher's probes): `dim` finite values. */
export function checkVector(x: ArrayLike<number>, dim: number): VectorCheck {
  if (x.length !== dim) return { ok: false, length: x.length };
  let squared = 0;
  for (let i = 0; i < dim; i++) {
    const value = x[i] as number;
    if (!Number.isFinite(value)) return { ok: false, index: i, value };
    squared += value * value;
  }
  return { ok: true, squared };
}
