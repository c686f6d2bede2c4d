// How well a set of agents (or templates standing in for them) identifies probes: closed-set rank-1
// and open-set FNIR at a fixed FPIR (the threshold is set on the non-mated searches, then applied).
import type { MatMul } from './matmul';

export interface Probes {
  dim: number;
  /** count x dim unit templates. */
  templates: Float32Array;
  /** Identity of each probe (index into the gallery's classes), or -1 for someone not enrolled. */
  labels: Int32Array;
}

export interface Gallery {
  /** rows x dim unit vectors: agents, mean templates, or several templates per identity. */
  vectors: Float32Array;
  /** Identity of each row (several rows may share one: the best single template case). */
  owners: Int32Array;
}

export interface IdentificationMetrics {
  /** Mated probes whose best identity is right. */
  rank1: number;
  /** Mated probes missed at the threshold (wrong identity or score not above it). */
  fnir: number;
  /** The FPIR actually reached on the non-mated searches, and the cosine threshold that gives it. */
  fpir: number;
  threshold: number;
  mated: number;
  nonMated: number;
}

export interface MetricOptions {
  targetFpir: number;
  /**
   * Also count each known probe, with its own identity left out, as a non-mated search: how a desk
   * without unknown faces still measures open-set rejection.
   */
  leaveOwnOut: boolean;
}

export const defaultMetricOptions: MetricOptions = { targetFpir: 0.01, leaveOwnOut: false };

export function identificationMetrics(
  matmul: MatMul, probes: Probes, gallery: Gallery, classes: number, options: MetricOptions = defaultMetricOptions,
): IdentificationMetrics {
  const { dim } = probes;
  const count = probes.labels.length;
  const rows = gallery.owners.length;
  const [p, g, scores] = matmul.allocate([count * dim, rows * dim, count * rows]) as [Float32Array, Float32Array, Float32Array];
  p.set(probes.templates);
  g.set(gallery.vectors);
  matmul.nt(p, g, scores, count, rows, dim);

  const best = new Float64Array(classes);
  const matedScore: number[] = [];
  const matedRight: boolean[] = [];
  const nonMated: number[] = [];
  for (let i = 0; i < count; i++) {
    best.fill(-Infinity);
    for (let r = 0; r < rows; r++) {
      const owner = gallery.owners[r] as number;
      best[owner] = Math.max(best[owner] as number, scores[i * rows + r] as number);
    }
    const y = probes.labels[i] as number;
    let top = -1;
    let topOther = -Infinity;
    for (let c = 0; c < classes; c++) {
      if (top < 0 || (best[c] as number) > (best[top] as number)) top = c;
      if (c !== y) topOther = Math.max(topOther, best[c] as number);
    }
    if (y < 0) {
      nonMated.push(best[top] as number);
    } else {
      matedScore.push(best[top] as number);
      matedRight.push(top === y);
      if (options.leaveOwnOut) nonMated.push(topOther);
    }
  }
  nonMated.sort((a, b) => b - a);
  // Accept when score > threshold: at most floor(target * n) non-mated searches get through.
  const allowed = Math.floor(options.targetFpir * nonMated.length);
  const threshold = nonMated.length === 0 ? -1 : (nonMated[allowed] ?? -1);
  const falsePositives = nonMated.filter((s) => s > threshold).length;
  let right = 0;
  let missed = 0;
  for (let i = 0; i < matedScore.length; i++) {
    if (matedRight[i]) right++;
    if (!matedRight[i] || (matedScore[i] as number) <= threshold) missed++;
  }
  return {
    rank1: matedScore.length ? right / matedScore.length : Number.NaN,
    fnir: matedScore.length ? missed / matedScore.length : Number.NaN,
    fpir: nonMated.length ? falsePositives / nonMated.length : Number.NaN,
    threshold,
    mated: matedScore.length,
    nonMated: nonMated.length,
  };
}

/** One row per identity: each identity's agent (or mean template). */
export function agentGallery(agents: Float32Array, classes: number): Gallery {
  return { vectors: agents, owners: new Int32Array(classes).map((_, i) => i) };
}
