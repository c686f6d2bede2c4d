// Seeded synthetic embeddings for matcher tests and benchmarks: Gaussian directions are uniform on
// the sphere, and `near` makes a template of the same person at a chosen cosine from their centre.
import { seededRandom } from '../../native-train/prng';

function normalise(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

export function templateGenerator(seed: number, dim = 512) {
  const uniform = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  /** A Gaussian vector, not normalised (the index must normalise what it is given). */
  const raw = (): Float64Array => Float64Array.from({ length: dim }, gauss);
  const unit = (): Float64Array => normalise(raw());
  /** A unit vector at cosine about `cos` from the unit vector `centre`. */
  const near = (centre: ArrayLike<number>, cos: number): Float64Array => {
    const noise = unit();
    const spread = Math.sqrt(1 - cos * cos);
    return normalise(Float64Array.from({ length: dim }, (_, i) => cos * centre[i]! + spread * noise[i]!));
  };
  return { uniform, raw, unit, near };
}

/**
 * A unit template from a small LCG: `seed` alone gives a random direction; with `base`, the base
 * moved by `noise` in a random direction (the same person in another frame). For the rule tests.
 */
export function seededTemplate(seed: number, noise = 0, base?: Float32Array): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const v = Float32Array.from({ length: 512 }, (_, i) => (base ? base[i]! : 0) + (base ? noise : 1) * rand());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
