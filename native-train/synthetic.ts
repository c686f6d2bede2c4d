// Synthetic identities on the unit sphere, for tests and benchmarks: each identity's templates scatter
// around a centre. `simplex` puts the centres on a regular simplex (the optimum of Prop. 2).
import { normalizeRows } from './normalize';
import { gaussian, seededRandom } from './prng';

export interface SyntheticSpec {
  identities: number;
  perIdentity: number;
  dim: number;
  /** Per-coordinate noise around each centre, before normalisation (spread ~ noise * sqrt(dim)). */
  noise: number;
  seed: number;
  simplex?: boolean;
}

/** Templates per identity, as the protocol takes them, plus the centres used. */
export function syntheticIdentities(spec: SyntheticSpec): { identities: Float32Array[][]; centres: Float32Array } {
  const { identities: n, perIdentity, dim, noise, seed } = spec;
  const random = seededRandom(seed);
  const centres = new Float32Array(n * dim);
  if (spec.simplex) {
    if (n > dim) throw new RangeError(`a regular simplex of ${n} vertices needs at least ${n} dimensions`);
    for (let c = 0; c < n; c++) for (let i = 0; i < n; i++) centres[c * dim + i] = (i === c ? 1 : 0) - 1 / n;
  } else {
    for (let i = 0; i < centres.length; i++) centres[i] = gaussian(random);
  }
  normalizeRows(centres, n, dim);
  const identities: Float32Array[][] = [];
  for (let c = 0; c < n; c++) {
    const list: Float32Array[] = [];
    for (let t = 0; t < perIdentity; t++) {
      const v = new Float32Array(dim);
      for (let i = 0; i < dim; i++) v[i] = (centres[c * dim + i] as number) + noise * gaussian(random);
      normalizeRows(v, 1, dim);
      list.push(v);
    }
    identities.push(list);
  }
  return { identities, centres };
}

/** Flattens identities into a training set's rows and labels. */
export function flatten(identities: readonly (readonly Float32Array[])[], dim: number): { templates: Float32Array; labels: Int32Array } {
  const count = identities.reduce((n, l) => n + l.length, 0);
  const templates = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  let r = 0;
  identities.forEach((list, c) => list.forEach((t) => { templates.set(t, r * dim); labels[r++] = c; }));
  return { templates, labels };
}
