// Per-decision levels (core/matching/levels.ts): a threshold fitted on a synthetic impostor
// distribution whose tail is known gives the target rate, for one comparison and for the best of a
// gallery; thresholds rise with the gallery and the probe count; without decision tails every
// decision falls back to the per-comparison threshold and says so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binomialRange, SECURITY_LEVELS } from '../../core/matching/calibration';
import {
  fitTail,
  loginPromise,
  loginThreshold,
  tailRate,
  tailThreshold,
  visitPromise,
  visitThreshold,
  type LevelsCalibration,
} from '../../core/matching/levels';
import type { DecisionCalibration } from '../../core/matching/calibrationFile';
import { seededRandom } from '../../native-train/prng';
import { repoRoot } from '../support/shared';


// Impostor cosines with a known tail: 0.05 + Exp(scale 0.04), so P(s >= t) = exp(-(t - 0.05) / 0.04).
const SCALE = 0.04;
const trueRate = (t: number) => Math.min(1, Math.exp(-(t - 0.05) / SCALE));
function sample(n: number, seed: number): Float64Array {
  const u = seededRandom(seed);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = 0.05 - SCALE * Math.log(1 - u());
  return s;
}

function syntheticCalibration(): LevelsCalibration {
  const n = 400_000;
  const one = sample(n, 1).sort().reverse();
  // A fused probe's tail is heavier: model it as the same shape shifted up by 0.06.
  const fused = sample(n, 2).map((s) => s + 0.06).sort().reverse();
  const decisions: DecisionCalibration = {
    version: 1,
    impostor: [fitTail(one, n, 1), fitTail(fused, n, 5)],
    genuine: [{ probes: 1, templates: 1, attempts: 1000, people: 100, from: 0, step: 0.1, below: [0, 0, 0, 0, 0, 0.005, 0.02, 0.1, 0.4, 0.8, 1] }],
    provenance: {},
  };
  return { thresholds: { '1e-3': 0.33, '1e-4': 0.42, '1e-5': 0.51 }, decisions };
}

describe('per-decision levels', () => {
  it('fits the known tail: the fitted threshold holds the target rate for one comparison and for the best of a gallery', () => {
    const n = 1_000_000;
    const top = sample(n, 7).sort().reverse();
    const tail = fitTail(top, n, 1);
    expect(tail.gpd.xi).toBeGreaterThan(-0.15);
    expect(tail.gpd.xi).toBeLessThan(0.15);
    for (const rate of [1e-2, 1e-3, 1e-5, 1e-6]) {
      const t = tailThreshold(tail, rate);
      // Extrapolating 3 decades past the fitted tail's start costs some precision; within a factor 2.
      expect(trueRate(t) / rate).toBeGreaterThan(0.5);
      expect(trueRate(t) / rate, `at ${rate}`).toBeLessThan(2);
      expect(tailRate(tail, t) / rate).toBeCloseTo(1, 5);
    }

    // Visits of a stranger against a gallery of 200 templates, fresh scores: how often the best reaches
    // the visit threshold at a 1e-2 target must fall in the binomial range the target predicts.
    const c: LevelsCalibration = { thresholds: { '1e-3': 0, '1e-4': 0, '1e-5': 0 }, decisions: { version: 1, impostor: [tail], genuine: [], provenance: {} } };
    const target = 1e-2;
    const gallery = 200;
    const t = visitThreshold({ ...c, thresholds: c.thresholds }, '1e-3', 100, gallery);
    const tLoose = tailThreshold(tail, -Math.expm1(Math.log1p(-target) / gallery));
    const visits = 20_000;
    const scores = sample(visits * gallery, 11);
    let greeted = 0;
    let greetedAtTarget = 0;
    for (let v = 0; v < visits; v++) {
      let best = -1;
      for (let j = 0; j < gallery; j++) best = Math.max(best, scores[v * gallery + j] as number);
      if (best >= t) greeted++;
      if (best >= tLoose) greetedAtTarget++;
    }
    const [lo3, hi3] = binomialRange(visits, 1e-3, 0.999);
    expect(greeted).toBeGreaterThanOrEqual(Math.floor(lo3 / 2));
    expect(greeted).toBeLessThanOrEqual(2 * hi3);
    const [lo, hi] = binomialRange(visits, target, 0.999);
    expect(greetedAtTarget).toBeGreaterThanOrEqual(Math.floor(lo / 1.3));
    expect(greetedAtTarget).toBeLessThanOrEqual(Math.ceil(hi * 1.3));
  });

  it('thresholds rise with the gallery, the templates per identity, the probe count and the level', () => {
    const c = syntheticCalibration();
    for (const level of SECURITY_LEVELS) {
      const visits = [1, 10, 100, 1000, 10_000].map((people) => visitThreshold(c, level, people, 3 * people));
      for (let i = 1; i < visits.length; i++) expect(visits[i]).toBeGreaterThan(visits[i - 1] as number);
      const byProbes = [1, 2, 3, 5, 10].map((p) => loginThreshold(c, level, p, 3));
      for (let i = 1; i < byProbes.length; i++) expect(byProbes[i]).toBeGreaterThanOrEqual(byProbes[i - 1] as number);
      expect(byProbes[4]).toBeGreaterThan(byProbes[0] as number);
      expect(loginThreshold(c, level, 1, 5)).toBeGreaterThan(loginThreshold(c, level, 1, 1));
    }
    expect(visitThreshold(c, '1e-5', 50, 150)).toBeGreaterThan(visitThreshold(c, '1e-4', 50, 150));
    // The promise: what the model expects at its own threshold is the level (it is an inverse), and a
    // bigger gallery costs more misses until the level becomes expensive.
    const small = visitPromise(c, '1e-4', 10, 30);
    const large = visitPromise(c, '1e-4', 100_000, 300_000);
    expect(small.falseAccept).toBeCloseTo(1e-4, 6);
    expect(large.falseReject!).toBeGreaterThan(small.falseReject!);
    expect(small.expensive).toBe(false);
    expect(large.expensive).toBe(true);
    expect(large.expensiveBecause).toMatch(/100,000 people enrolled/);
    expect(loginPromise(c, '1e-3', 3, 3).falseAccept).toBeCloseTo(1e-3, 5);
  });

  it('without decision tails every decision uses the per-comparison threshold and says so', () => {
    const c: LevelsCalibration = { thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 } };
    expect(visitThreshold(c, '1e-4', 1000, 3000)).toBe(0.4);
    expect(loginThreshold(c, '1e-5', 10, 3)).toBe(0.5);
    const p = visitPromise(c, '1e-3', 1000, 3000);
    expect(p.perComparisonOnly).toBe(true);
    expect(p.falseAccept).toBeNull();
    expect(() => visitThreshold(c, '1e-3', -1, 3)).toThrow(/whole numbers/);
  });

  const shipped = join(repoRoot, 'models', 'calibration.json');
  const decisions = existsSync(shipped) ? (JSON.parse(readFileSync(shipped, 'utf8')) as LevelsCalibration).decisions : undefined;
  it.skipIf(!decisions)(`the shipped decision tails are small and rise with gallery and probes${decisions ? '' : ' (skipped: models/calibration.json has no decisions section)'}`, () => {
    expect(readFileSync(shipped, 'utf8').length).toBeLessThan(12_000);
    const c = JSON.parse(readFileSync(shipped, 'utf8')) as LevelsCalibration;
    for (const level of SECURITY_LEVELS) {
      const visits = [10, 100, 1000, 1680].map((people) => visitThreshold(c, level, people, 3 * people));
      for (let i = 1; i < visits.length; i++) expect(visits[i]).toBeGreaterThan(visits[i - 1] as number);
      const byProbes = [1, 3, 10].map((p) => loginThreshold(c, level, p, 3));
      for (let i = 1; i < byProbes.length; i++) expect(byProbes[i]).toBeGreaterThanOrEqual(byProbes[i - 1] as number);
    }
  });
});
