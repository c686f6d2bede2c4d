// The local calibration check: does this camera's impostor tail look like LFW's? The enrolled
// people's own templates give impostor pairs for free (pairs across identities), and the opt-in
// cohort of unrecognised visitors adds cohort-vs-gallery pairs. Where the local tail is heavier than
// chance allows, the thresholds calibrated on LFW do not hold their level here; the check estimates
// by how much the local scores sit higher and what thresholds would hold the levels.
//
// The test: at the scores LFW's one-photo tail puts at rates 1e-2, 1e-3, 1e-4 and 1e-5 (those where
// at least 5 exceedances are expected), count local pairs at or above. Pairs that share a template or
// an identity are dependent (a look-alike pair of people gives every one of their template pairs), so
// each count's variance is the grouped jackknife over identities (never below the binomial one), and
// it is tested as a Poisson count over the effective number of pairs that variance implies. Warn when
// a one-sided p-value is below 0.01 / (number of rates tested) (Bonferroni) and the local scores, moved
// up by the shift measured at those rates, give at least 1.5 times LFW's false-match rate at a
// threshold in use: beyond chance, and big enough to matter.
import type { SecurityLevel } from './calibration';
import type { ImpostorTail } from './calibrationFile';
import { tailRate, tailThreshold, type LevelsCalibration } from './levels';

export interface LocalImpostorScores {
  /** Cosines of impostor pairs: templates of different identities, or a cohort face against the gallery. */
  scores: ArrayLike<number>;
  /** The two groups (an identity, or one cohort entry) of each score; scores that share a group are dependent. */
  groupA: ArrayLike<number>;
  groupB: ArrayLike<number>;
}

export interface DriftRow {
  /** LFW's one-photo impostor rate at `threshold`. */
  rate: number;
  threshold: number;
  observed: number;
  expected: number;
  /** observed / expected. */
  ratio: number;
  /** Variance of the count over the binomial one (dependence between pairs), >= 1. */
  designEffect: number;
  /** One-sided p-value of a count this high if the local tail were LFW's. */
  p: number;
}

export interface DriftCheck {
  warn: boolean;
  pairs: number;
  groups: number;
  /** How far up (in cosine) the local impostor scores sit at the tested rates (the largest), >= 0; pass it as the calibration's localShift only when `warn`. */
  shift: number;
  /** Per-comparison false-match rate at each threshold in use: on local data (LFW's tail moved up by `shift`) and on LFW. */
  localRate: Record<SecurityLevel, number>;
  expectedRate: Record<SecurityLevel, number>;
  /** Thresholds that hold each level on local data (the ones in use + shift); null when not warning. */
  suggestedThresholds: Record<SecurityLevel, number> | null;
  test: { name: string; alpha: number; minRatio: number; rows: DriftRow[] };
  message: string;
}

export const DRIFT_ALPHA = 0.01;
export const DRIFT_MIN_RATIO = 1.5;
const TEST_RATES = [1e-2, 1e-3, 1e-4, 1e-5];
const MIN_EXPECTED = 5;

/** LFW's one-photo impostor tail, or one drawn through the three per-comparison levels of an older file. */
export function referenceTail(c: LevelsCalibration): ImpostorTail {
  const one = c.decisions?.impostor.find((t) => t.probes === 1);
  if (one) return one;
  const t3 = c.thresholds['1e-3'];
  const t4 = c.thresholds['1e-4'];
  const t5 = c.thresholds['1e-5'];
  return { probes: 1, count: 0, scores: [t3, t4, t5], rates: [1e-3, 1e-4, 1e-5], gpd: { u: t5, pu: 1e-5, sigma: (t5 - t4) / Math.log(10), xi: 0, exceedances: 0 } };
}

/** P(Poisson(lambda) >= k), summed in log space. */
function poissonUpper(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let below = 0;
  let logTerm = -lambda;
  for (let i = 0; i < k; i++) {
    if (i > 0) logTerm += Math.log(lambda) - Math.log(i);
    below += Math.exp(logTerm);
  }
  return Math.max(0, 1 - below);
}

export function driftCheck(local: LocalImpostorScores, calibration: LevelsCalibration, thresholds: Record<SecurityLevel, number>): DriftCheck {
  const n = local.scores.length;
  if (local.groupA.length !== n || local.groupB.length !== n) throw new RangeError('driftCheck: every score needs its two groups.');
  const tail = referenceTail(calibration);
  const groups = new Map<number, number>();
  const slot = (g: number) => {
    let s = groups.get(g);
    if (s === undefined) groups.set(g, (s = groups.size));
    return s;
  };
  const a = Int32Array.from({ length: n }, (_, i) => slot(local.groupA[i] as number));
  const b = Int32Array.from({ length: n }, (_, i) => slot(local.groupB[i] as number));
  const G = groups.size;
  const pairsOf = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    pairsOf[a[i] as number]!++;
    if (b[i] !== a[i]) pairsOf[b[i] as number]!++;
  }
  const sorted = Float64Array.from(local.scores).sort().reverse();

  const tested = TEST_RATES.filter((r) => r <= (tail.rates[0] as number) && r * n >= MIN_EXPECTED);
  const rows: DriftRow[] = tested.map((rate) => {
    const threshold = tailThreshold(tail, rate);
    const expectedRateHere = tailRate(tail, threshold);
    const hits = new Float64Array(G);
    let observed = 0;
    for (let i = 0; i < n; i++) {
      if ((local.scores[i] as number) < threshold) continue;
      observed++;
      hits[a[i] as number]!++;
      if (b[i] !== a[i]) hits[b[i] as number]!++;
    }
    const theta = observed / n;
    // Grouped jackknife: leave out every pair of one identity at a time.
    let mean = 0;
    const loo = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      const left = n - (pairsOf[g] as number);
      loo[g] = left > 0 ? (observed - (hits[g] as number)) / left : theta;
      mean += loo[g] as number;
    }
    mean /= Math.max(1, G);
    let ss = 0;
    for (let g = 0; g < G; g++) ss += ((loo[g] as number) - mean) ** 2;
    const jackknife = G > 1 ? ((G - 1) / G) * ss : 0;
    const binomial = (expectedRateHere * (1 - expectedRateHere)) / n;
    const designEffect = Math.max(1, jackknife / binomial);
    const expected = n * expectedRateHere;
    // A Poisson count over n / designEffect effective pairs.
    const p = poissonUpper(Math.ceil(observed / designEffect - 1e-9), expected / designEffect);
    return { rate, threshold, observed, expected, ratio: expected > 0 ? observed / expected : Infinity, designEffect, p };
  });

  // How far up the local scores sit: local quantile minus LFW's, at each tested rate.
  let shift = 0;
  for (const r of rows) {
    const rank = Math.ceil(r.rate * n) - 1;
    if (rank >= 0 && rank < n) shift = Math.max(shift, (sorted[rank] as number) - r.threshold);
  }
  const levels = Object.keys(thresholds) as SecurityLevel[];
  const localRate = {} as Record<SecurityLevel, number>;
  const expectedRate = {} as Record<SecurityLevel, number>;
  for (const l of levels) {
    localRate[l] = tailRate(tail, thresholds[l] - shift);
    expectedRate[l] = tailRate(tail, thresholds[l]);
  }
  const cut = DRIFT_ALPHA / Math.max(1, rows.length);
  const material = levels.some((l) => localRate[l] >= DRIFT_MIN_RATIO * expectedRate[l]);
  const warn = material && rows.some((r) => r.p < cut);
  const suggestedThresholds = warn ? (Object.fromEntries(levels.map((l) => [l, Math.min(1, thresholds[l] + shift)])) as Record<SecurityLevel, number>) : null;
  const worst = [...rows].sort((x, y) => x.p - y.p)[0];
  const message = rows.length === 0
    ? `Too few impostor pairs (${n}) to check the calibration on this camera; it needs about ${Math.ceil(MIN_EXPECTED / 1e-2)}.`
    : warn
      ? `Faces of different people score higher here than on LFW: ${worst!.observed} of ${n.toLocaleString('en-US')} pairs reach the score LFW puts at ${worst!.rate} (${worst!.expected.toFixed(1)} expected), about ${shift.toFixed(3)} higher in cosine; the levels hold with thresholds raised by that much.`
      : `Faces of different people score as on LFW (${n.toLocaleString('en-US')} pairs checked): the calibration holds here.`;
  return { warn, pairs: n, groups: G, shift, localRate, expectedRate, suggestedThresholds, test: { name: 'exceedance counts vs LFW (grouped jackknife, Poisson, Bonferroni)', alpha: DRIFT_ALPHA, minRatio: DRIFT_MIN_RATIO, rows }, message };
}

export interface GroupedTemplate {
  /** Identity (or cohort entry) number. */
  group: number;
  vector: ArrayLike<number>;
  /** A cohort face: compared with the gallery only, never with other cohort faces (one stranger may visit twice). */
  cohort?: boolean;
}

/**
 * Impostor pairs among grouped templates: every pair across two identities, and every cohort face
 * against every identity's templates. Above `maxPairs`, an evenly spread subset of them.
 */
export function localImpostorScores(items: readonly GroupedTemplate[], maxPairs = 2_000_000): LocalImpostorScores {
  const eligible = (i: number, j: number) => {
    const x = items[i] as GroupedTemplate;
    const y = items[j] as GroupedTemplate;
    return x.group !== y.group && !(x.cohort && y.cohort);
  };
  let total = 0;
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) if (eligible(i, j)) total++;
  const step = Math.max(1, Math.ceil(total / maxPairs));
  const scores: number[] = [];
  const groupA: number[] = [];
  const groupB: number[] = [];
  let k = 0;
  for (let i = 0; i < items.length; i++) {
    const x = items[i] as GroupedTemplate;
    for (let j = i + 1; j < items.length; j++) {
      if (!eligible(i, j) || k++ % step !== 0) continue;
      const y = items[j] as GroupedTemplate;
      let s = 0;
      for (let d = 0; d < x.vector.length; d++) s += (x.vector[d] as number) * (y.vector[d] as number);
      scores.push(s);
      groupA.push(x.group);
      groupB.push(y.group);
    }
  }
  return { scores, groupA, groupB };
}
