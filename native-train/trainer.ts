// One training run: agents W (one unit row per identity) and the scale s, learnt from fixed unit
// templates by a NormFace loss. Synchronous and step by step, so a worker can report progress,
// stop on a flag and respect caps on time and memory. Pure TS: the caller supplies the MatMul.
import { evaluateLoss, defaultLossSettings, usesScale, type LossSettings } from './losses/loss';
import { softmaxLowerBound } from './losses/normSoftmax';
import type { MatMul } from './matmul';
import {
  AgentOptimizer, ScaleOptimizer, defaultOptimizerSettings, defaultScaleSettings, optimizerStateFloats,
  type OptimizerSettings, type ScaleSettings,
} from './optimizer';
import { seededRandom, shuffle } from './prng';

export interface TrainingSet {
  dim: number;
  /** count x dim unit templates, row-major. */
  templates: Float32Array;
  /** Class of each template, 0..classes-1, or -1 for an unknown face (a cohort negative). */
  labels: Int32Array;
  classes: number;
  /** classes x dim starting agents (unit rows); the protocol starts at each identity's mean template. */
  agents: Float32Array;
}

export interface TrainSettings {
  loss: LossSettings;
  optimizer: OptimizerSettings;
  scale: ScaleSettings;
  /** Templates per step; 0 (or >= count) is full-batch. */
  batchSize: number;
  epochs: number;
  seed: number;
  /** Hard caps: a run stops at the first step past maxSeconds, and refuses to start above maxBytes. */
  maxSeconds: number;
  maxBytes: number;
}

export const defaultTrainSettings: TrainSettings = {
  loss: defaultLossSettings,
  optimizer: defaultOptimizerSettings,
  scale: defaultScaleSettings,
  batchSize: 0,
  epochs: 40,
  seed: 1,
  maxSeconds: 60,
  maxBytes: 1024 ** 3,
};

export interface TrainProgress {
  step: number;
  steps: number;
  epoch: number;
  loss: number;
  /** The normalised-softmax part of the loss (NaN when the loss has none) and its Prop. 2 floor. */
  softmaxLoss: number;
  softmaxBound: number;
  /** The scale used in this step. */
  scale: number;
}

export interface TrainHooks {
  onProgress?(progress: TrainProgress, agents: Float32Array): void;
  /** Polled before every step: true cancels the run. */
  shouldStop?(): boolean;
  now?(): number;
}

export type TrainStatus = 'done' | 'cancelled' | 'time-limit' | 'memory-limit' | 'invalid';

export interface TrainOutcome {
  status: TrainStatus;
  /** Says what happened in words a person can act on (null when done). */
  message: string | null;
  /** classes x dim trained agents (a copy; the starting agents when nothing ran). */
  agents: Float32Array;
  scale: number;
  steps: number;
  losses: number[];
  seconds: number;
  /** Bytes of matrices the run allocated. */
  bytes: number;
}

/** Bytes of matrices a run of these sizes allocates (the templates themselves not counted). */
export function trainingBytes(count: number, dim: number, classes: number, settings: TrainSettings): number {
  const batch = settings.batchSize > 0 && settings.batchSize < count ? settings.batchSize : count;
  const padded = Math.ceil(batch / 4) * 4;
  const floats = 2 * padded * dim + 3 * padded * classes + (2 + optimizerStateFloats(settings.optimizer.kind)) * classes * dim;
  return floats * 4;
}

/** out[j * ldOut + r] = x[r * cols + j], in tiles so both sides stay in cache. */
function transpose(x: Float32Array, rows: number, cols: number, out: Float32Array, ldOut: number): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let r = r0; r < r1; r++) for (let j = j0; j < j1; j++) out[j * ldOut + r] = x[r * cols + j] as number;
    }
  }
}

function invalid(set: TrainingSet, message: string, status: TrainStatus = 'invalid', bytes = 0): TrainOutcome {
  return { status, message, agents: set.agents.slice(), scale: Number.NaN, steps: 0, losses: [], seconds: 0, bytes };
}

export function train(set: TrainingSet, settings: TrainSettings, matmul: MatMul, hooks: TrainHooks = {}): TrainOutcome {
  const now = hooks.now ?? Date.now;
  const start = now();
  const { dim, classes, templates, labels } = set;
  const count = labels.length;
  if (classes < 2) return invalid(set, 'training needs at least two identities');
  if (count === 0 || templates.length !== count * dim) return invalid(set, `expected ${count} templates of ${dim} floats, got ${templates.length} floats`);
  if (set.agents.length !== classes * dim) return invalid(set, `expected ${classes} starting agents of ${dim} floats`);
  if (dim % 4 !== 0) return invalid(set, `template size ${dim} must be a multiple of 4`);
  const bytes = trainingBytes(count, dim, classes, settings);
  if (bytes > settings.maxBytes) {
    return invalid(set, `this run needs ${(bytes / 1024 ** 2).toFixed(0)} MiB, over its ${(settings.maxBytes / 1024 ** 2).toFixed(0)} MiB cap: use a smaller batch size`, 'memory-limit', bytes);
  }

  const fullBatch = !(settings.batchSize > 0 && settings.batchSize < count);
  const batch = fullBatch ? count : settings.batchSize;
  const padded = Math.ceil(batch / 4) * 4;
  const stateFloats = optimizerStateFloats(settings.optimizer.kind) * classes * dim;
  const [fb, fbT, cos, grad, gradT, agents, dAgents, state] = matmul.allocate([
    padded * dim, dim * padded, padded * classes, padded * classes, classes * padded, classes * dim, classes * dim, stateFloats,
  ]) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  fb.fill(0); fbT.fill(0); gradT.fill(0); state.fill(0);
  agents.set(set.agents);

  const random = seededRandom(settings.seed);
  const order = new Int32Array(count).map((_, i) => i);
  const batchLabels = new Int32Array(batch);
  const optimizer = new AgentOptimizer(settings.optimizer, classes, dim, state);
  const scale = new ScaleOptimizer(settings.scale, settings.optimizer.momentum);
  const hasScale = usesScale(settings.loss.kind);
  const stepsPerEpoch = Math.ceil(count / batch);
  const steps = stepsPerEpoch * settings.epochs;
  const losses: number[] = [];

  const fillBatch = (first: number, rows: number): void => {
    for (let r = 0; r < rows; r++) {
      const src = order[first + r] as number;
      batchLabels[r] = labels[src] as number;
      fb.set(templates.subarray(src * dim, src * dim + dim), r * dim);
      for (let i = 0; i < dim; i++) fbT[i * padded + r] = templates[src * dim + i] as number;
    }
    for (let r = rows; r < padded; r++) {
      fb.fill(0, r * dim, r * dim + dim);
      for (let i = 0; i < dim; i++) fbT[i * padded + r] = 0;
    }
  };
  if (fullBatch) fillBatch(0, count);

  let step = 0;
  let status: TrainStatus = 'done';
  let message: string | null = null;
  outer: for (let epoch = 0; epoch < settings.epochs; epoch++) {
    if (!fullBatch) shuffle(order, random);
    for (let first = 0; first < count; first += batch) {
      if (hooks.shouldStop?.()) { status = 'cancelled'; message = `cancelled at step ${step} of ${steps}`; break outer; }
      const seconds = (now() - start) / 1000;
      if (seconds > settings.maxSeconds) {
        status = 'time-limit';
        message = `stopped at step ${step} of ${steps}: the ${settings.maxSeconds} s time cap was reached`;
        break outer;
      }
      const rows = Math.min(batch, count - first);
      if (!fullBatch) fillBatch(first, rows);
      // cos = F_b W^T, then dL/dcos, then dL/dW = (dL/dcos)^T F_b, with both operands transposed for nt().
      matmul.nt(fb, agents, cos, rows, classes, dim);
      const s = scale.value;
      const terms = evaluateLoss({ cos, labels: batchLabels.subarray(0, rows), rows, classes, stride: classes }, s, settings.loss, grad);
      transpose(grad, rows, classes, gradT, padded);
      for (let r = rows; r < padded; r++) for (let j = 0; j < classes; j++) gradT[j * padded + r] = 0;
      matmul.nt(gradT, fbT, dAgents, classes, dim, padded);
      optimizer.step(agents, dAgents);
      if (hasScale) scale.step(terms.dScale);
      losses.push(terms.total);
      step++;
      hooks.onProgress?.({
        step, steps, epoch,
        loss: terms.total,
        softmaxLoss: terms.softmax,
        softmaxBound: hasScale ? softmaxLowerBound(classes, s) : Number.NaN,
        scale: s,
      }, agents);
    }
  }
  return {
    status, message, agents: agents.slice(), scale: hasScale ? scale.value : Number.NaN,
    steps: step, losses, seconds: (now() - start) / 1000, bytes,
  };
}
