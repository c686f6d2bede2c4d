// The verification metrics and FMR calibration math on small cases worked by hand.
import { describe, expect, it } from 'vitest';
import { binomialRange, fnmrAt, thresholdAtFmr } from '../../core/matching/calibration';
import { accuracyAt, areaUnderCurve, bestAccuracyThreshold, rocCurve, tarAtFar, tenFoldAccuracy, type ScoredPair } from '../../core/matching/metrics';

const pair = (score: number, genuine: boolean, fold = 0): ScoredPair => ({ score, genuine, fold });

describe('verification metrics', () => {
  it('picks the threshold that separates the classes best', () => {
    const pairs = [pair(0.9, true), pair(0.8, true), pair(0.35, true), pair(0.4, false), pair(0.1, false), pair(0.0, false)];
    const best = bestAccuracyThreshold(pairs);
    expect(best.accuracy).toBeCloseTo(5 / 6);
    expect(accuracyAt(pairs, best.threshold)).toBeCloseTo(5 / 6);
    // Either the 0.35 genuine or the 0.4 impostor must be given up; nothing does better.
    expect(Math.abs(best.threshold - 0.225) < 1e-9 || (best.threshold > 0.4 && best.threshold < 0.8)).toBe(true);
  });

  it('scores each fold with the threshold chosen on the other folds', () => {
    // Fold 1 is shifted: a threshold learnt on fold 0 alone misclassifies part of it.
    const pairs = [pair(0.9, true, 0), pair(0.1, false, 0), pair(0.6, true, 0), pair(0.4, false, 0), pair(0.35, true, 1), pair(0.2, false, 1)];
    const result = tenFoldAccuracy(pairs);
    expect(result.folds).toHaveLength(2);
    // Fold 0 gets the threshold learnt on fold 1 (0.275): the 0.4 impostor slips through.
    expect(result.folds[0]!.accuracy).toBe(0.75);
    // Fold 1 gets fold 0's (0.5): its 0.35 genuine pair is rejected.
    expect(result.folds[1]!.accuracy).toBe(0.5);
    expect(result.mean).toBeCloseTo(0.625);
    expect(result.std).toBeCloseTo(0.125);
  });

  it('computes ROC, AUC and TAR at a FAR', () => {
    const perfect = rocCurve([pair(0.9, true), pair(0.8, true), pair(0.2, false), pair(0.1, false)]);
    expect(areaUnderCurve(perfect)).toBeCloseTo(1);
    const random = rocCurve([pair(0.5, true), pair(0.5, false)]);
    expect(areaUnderCurve(random)).toBeCloseTo(0.5);
    const roc = rocCurve([pair(0.9, true), pair(0.7, false), pair(0.6, true), pair(0.1, false)]);
    expect(tarAtFar(roc, 0).tar).toBe(0.5);
    expect(tarAtFar(roc, 0.5).tar).toBe(1);
  });
});

describe('FMR calibration', () => {
  it('puts the threshold so that at most FMR x N impostors match, ties included', () => {
    const impostors = Float32Array.from([0.9, 0.8, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1]).sort().reverse();
    const { threshold, matches } = thresholdAtFmr(impostors, 0.2);
    expect(matches).toBe(1); // 0.8 is tied at the cut, so it must fall below the threshold
    expect(threshold).toBeGreaterThan(0.8);
    expect(thresholdAtFmr(impostors, 0.1).matches).toBe(1);
  });

  it('reads only the kept top scores of a larger set', () => {
    const top = Float32Array.from([0.7, 0.6, 0.5]);
    expect(thresholdAtFmr(top, 1e-3, 2000).matches).toBe(2);
    expect(() => thresholdAtFmr(top, 1e-2, 2000)).toThrow(RangeError);
  });

  it('gives the FNMR at a threshold', () => {
    expect(fnmrAt([0.2, 0.5, 0.9, 0.1], 0.3)).toEqual({ fnmr: 0.5, nonMatches: 2 });
  });

  it('gives binomial ranges that hold the mean', () => {
    const [lo, hi] = binomialRange(300, 0.013);
    expect(lo).toBeLessThanOrEqual(3.9);
    expect(hi).toBeGreaterThanOrEqual(3.9);
    expect(binomialRange(300, 0)).toEqual([0, 0]);
    expect(binomialRange(300, 1e-3)[1]).toBeGreaterThanOrEqual(1);
  });
});
