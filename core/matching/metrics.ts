// Verification metrics over scored pairs: the LFW protocol (10-fold accuracy, each fold's threshold
// chosen on the other nine), ROC, AUC and TAR at a fixed FAR.

export interface ScoredPair {
  score: number;
  genuine: boolean;
  fold: number;
}

/** The threshold (midpoint between neighbouring scores) that maximises accuracy on `pairs`. */
export function bestAccuracyThreshold(pairs: readonly ScoredPair[]): { threshold: number; accuracy: number } {
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  const total = sorted.length;
  let genuineAbove = sorted.filter((p) => p.genuine).length;
  let impostorBelow = 0;
  // Threshold below every score: all accepted.
  let best = { threshold: (sorted[0]?.score ?? 0) - 1e-6, correct: genuineAbove };
  for (let i = 0; i < total; i++) {
    const p = sorted[i] as ScoredPair;
    if (p.genuine) genuineAbove--;
    else impostorBelow++;
    const next = sorted[i + 1];
    if (next && next.score === p.score) continue;
    const correct = genuineAbove + impostorBelow;
    if (correct > best.correct) best = { threshold: next ? (p.score + next.score) / 2 : p.score + 1e-6, correct };
  }
  return { threshold: best.threshold, accuracy: best.correct / total };
}

export function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const p of pairs) if ((p.score >= threshold) === p.genuine) correct++;
  return correct / pairs.length;
}

export interface FoldResult {
  fold: number;
  threshold: number;
  accuracy: number;
}

export function tenFoldAccuracy(pairs: readonly ScoredPair[]): { mean: number; std: number; folds: FoldResult[] } {
  const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const folds = foldIds.map((fold) => {
    const { threshold } = bestAccuracyThreshold(pairs.filter((p) => p.fold !== fold));
    return { fold, threshold, accuracy: accuracyAt(pairs.filter((p) => p.fold === fold), threshold) };
  });
  const mean = folds.reduce((s, f) => s + f.accuracy, 0) / folds.length;
  // Population std over folds, as the LFW papers (and sklearn's np.std) report it.
  const std = Math.sqrt(folds.reduce((s, f) => s + (f.accuracy - mean) ** 2, 0) / folds.length);
  return { mean, std, folds };
}

export interface RocPoint {
  threshold: number;
  far: number;
  tar: number;
}

/** ROC points from the highest threshold down, one per distinct score. */
export function rocCurve(pairs: readonly ScoredPair[]): RocPoint[] {
  const sorted = [...pairs].sort((a, b) => b.score - a.score);
  const positives = sorted.filter((p) => p.genuine).length;
  const negatives = sorted.length - positives;
  const points: RocPoint[] = [{ threshold: Infinity, far: 0, tar: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i] as ScoredPair;
    if (p.genuine) tp++;
    else fp++;
    if (sorted[i + 1]?.score === p.score) continue;
    points.push({ threshold: p.score, far: fp / negatives, tar: tp / positives });
  }
  return points;
}

export function areaUnderCurve(roc: readonly RocPoint[]): number {
  let auc = 0;
  for (let i = 1; i < roc.length; i++) {
    const a = roc[i - 1] as RocPoint;
    const b = roc[i] as RocPoint;
    auc += (b.far - a.far) * (a.tar + b.tar) / 2;
  }
  return auc;
}

/** The best TAR whose FAR does not exceed `far`. */
export function tarAtFar(roc: readonly RocPoint[], far: number): { tar: number; threshold: number } {
  let best = { tar: 0, threshold: Infinity };
  for (const p of roc) if (p.far <= far && p.tar >= best.tar) best = { tar: p.tar, threshold: p.threshold };
  return best;
}
