// The losses a run can use, by name, and their weighted sum (the paper's best: softmax + 0.01 x C-contrastive).
import type { Floats } from '../floats';
import { cContrastiveLoss, C_CONTRASTIVE_MARGIN } from './cContrastive';
import type { CosineBatch } from './cosines';
import { cTripletLoss, C_TRIPLET_MARGIN } from './cTriplet';
import { normSoftmaxLoss } from './normSoftmax';

export const lossKinds = ['softmax', 'contrastive', 'triplet', 'softmax+contrastive', 'softmax+triplet'] as const;
export type LossKind = (typeof lossKinds)[number];

export interface LossSettings {
  kind: LossKind;
  /** Weight of the metric term when combined with softmax (paper: 0.01). */
  lambda: number;
  contrastiveMargin: number;
  tripletMargin: number;
}

export const defaultLossSettings: LossSettings = {
  kind: 'softmax+contrastive',
  lambda: 0.01,
  contrastiveMargin: C_CONTRASTIVE_MARGIN,
  tripletMargin: C_TRIPLET_MARGIN,
};

export interface LossTerms {
  total: number;
  dScale: number;
  /** The normalised-softmax part alone (NaN when the loss has none), for the Prop. 2 bound. */
  softmax: number;
}

export function usesScale(kind: LossKind): boolean {
  return kind.startsWith('softmax');
}

/** Zeroes `grad`, then fills it with dL/dcos of the chosen loss. */
export function evaluateLoss(batch: CosineBatch, scale: number, settings: LossSettings, grad: Floats): LossTerms {
  grad.fill(0);
  const { kind, lambda } = settings;
  let total = 0;
  let dScale = 0;
  let softmax = Number.NaN;
  if (usesScale(kind)) {
    const v = normSoftmaxLoss(batch, scale, grad);
    total += v.loss;
    dScale += v.dScale;
    softmax = v.loss;
  }
  const w = kind === 'contrastive' || kind === 'triplet' ? 1 : lambda;
  if (kind.endsWith('contrastive')) total += w * cContrastiveLoss(batch, grad, w, settings.contrastiveMargin).loss;
  if (kind.endsWith('triplet')) total += w * cTripletLoss(batch, grad, w, settings.tripletMargin).loss;
  return { total, dScale, softmax };
}
