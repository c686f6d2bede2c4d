// Every comparison is a cosine between unit vectors, so every vector that enters the matcher is
// checked (length, finite, non-zero) and brought to unit length here, in float64.

import { checkVector } from '../hypersphere';

export type UnitVector = { ok: true; unit: Float64Array } | { ok: false; error: string };

export function toUnit(vector: ArrayLike<number>, dim: number, what = 'probe'): UnitVector {
  const checked = checkVector(vector, dim);
  if (!checked.ok) {
    return 'length' in checked
      ? { ok: false, error: `the ${what} has ${checked.length} values, the model gives ${dim}` }
      : { ok: false, error: `the ${what} contains a non-finite value (${checked.value}) at ${checked.index}` };
  }
  const squared = checked.squared;
  if (!(squared > 1e-12)) return { ok: false, error: `the ${what} is all zeros and has no direction` };
  const unit = new Float64Array(dim);
  const inverse = 1 / Math.sqrt(squared);
  for (let i = 0; i < dim; i++) unit[i] = vector[i]! * inverse;
  return { ok: true, unit };
}

/**
 * Several probes of one person (frames of one attempt) fused into one: the mean of their unit
 * vectors, renormalised. Averaging on the sphere cancels per-frame noise.
 */
export function fuseProbes(probes: readonly ArrayLike<number>[], dim: number): UnitVector {
  if (probes.length === 0) return { ok: false, error: 'no probe to verify: capture at least one face' };
  const sum = new Float64Array(dim);
  for (const [n, probe] of probes.entries()) {
    const checked = toUnit(probe, dim, probes.length > 1 ? `probe ${n + 1}` : 'probe');
    if (!checked.ok) return checked;
    for (let i = 0; i < dim; i++) sum[i]! += checked.unit[i]!;
  }
  const fused = toUnit(sum, dim, 'mean of the probes');
  return fused.ok ? fused : { ok: false, error: 'the probes point in opposite directions and cancel out' };
}

/** The normalised mean of several unit templates, as a Float32Array (the kiosk's visit probe, the command line's video probe). */
export function meanTemplate(templates: readonly ArrayLike<number>[]): Float32Array {
  const first = templates[0];
  if (!first) throw new RangeError('meanTemplate needs at least one template');
  const fused = fuseProbes(templates, first.length);
  if (!fused.ok) throw new RangeError(fused.error);
  return Float32Array.from(fused.unit);
}

/** Thrown by the index for input no caller should pass (the contract validates user input first). */
export class MatchInputError extends Error {
  override readonly name = 'MatchInputError';
}
