// Thresholds tied to a false-match rate. The app's "security level" is an FMR; the cosine that
// realises it is measured on impostor comparisons (models/calibration.json, whose schema is in
// calibrationFile.ts), never picked by hand.
export const SECURITY_LEVELS = ['1e-3', '1e-4', '1e-5'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

/**
 * The smallest threshold whose FMR does not exceed `fmr`. `topDescending` holds the highest impostor
 * scores, sorted descending, out of `total` impostor comparisons in all (the rest lie below them).
 * Scores >= threshold match; ties at the cut are pushed below it, so the FMR bound is kept.
 */
export function thresholdAtFmr(topDescending: Float32Array | Float64Array, fmr: number, total = topDescending.length): { threshold: number; matches: number } {
  const allowed = Math.floor(fmr * total);
  if (allowed >= topDescending.length) throw new RangeError(`FMR ${fmr} needs the top ${allowed + 1} of ${total} impostor scores; only ${topDescending.length} were kept.`);
  // Nudged just above the cut's score, so every score tied with it falls below the threshold.
  const threshold = (topDescending[allowed] as number) + 1e-7;
  let matches = 0;
  while (matches < topDescending.length && (topDescending[matches] as number) >= threshold) matches++;
  return { threshold, matches };
}

export function fnmrAt(genuine: ArrayLike<number>, threshold: number): { fnmr: number; nonMatches: number } {
  let nonMatches = 0;
  for (let i = 0; i < genuine.length; i++) if ((genuine[i] as number) < threshold) nonMatches++;
  return { fnmr: nonMatches / genuine.length, nonMatches };
}

export function thresholdFor(calibration: { thresholds: Record<SecurityLevel, number> }, level: SecurityLevel): number {
  const t = calibration.thresholds[level];
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new RangeError(`No calibrated threshold for security level FMR ${level}.`);
  return t;
}

/**
 * Range [lo, hi] of counts out of `n` trials that a binomial(n, p) falls in with probability at
 * least `confidence` (two-sided, exact tails): what a sample test may observe if the calibration holds.
 */
export function binomialRange(n: number, p: number, confidence = 0.99): [number, number] {
  const tail = (1 - confidence) / 2;
  let cdf = 0;
  let lo = 0;
  let hi = n;
  let pmf = (1 - p) ** n;
  let loFound = false;
  for (let k = 0; k <= n; k++) {
    if (k > 0) pmf = (pmf * (n - k + 1) * p) / (k * (1 - p));
    cdf += pmf;
    if (!loFound && cdf > tail) {
      lo = k;
      loFound = true;
    }
    if (cdf >= 1 - tail) {
      hi = k;
      break;
    }
  }
  return [lo, hi];
}
