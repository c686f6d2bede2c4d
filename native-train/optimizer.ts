// Steps for the agents (unit rows of W) and the scale s. Agents always move along the tangent of the
// sphere (the normalisation layer's backward gives exactly that gradient) and are re-projected to unit
// length after each step. Adam rescales each coordinate, which tilts its step off the tangent; the
// re-projection then lets agents drift from their class (issue 5's prototype), so SGD is the default.
import type { Floats } from './floats';
import { NORM_EPS, normalizeRows, normalizeRowsBackward } from './normalize';

export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerSettings {
  kind: OptimizerKind;
  learningRate: number;
  /** SGD momentum (paper: 0.9). */
  momentum: number;
  beta1: number;
  beta2: number;
}

export const defaultOptimizerSettings: OptimizerSettings = {
  kind: 'sgd', learningRate: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999,
};

/** Floats of state per agent coordinate, for memory estimates. */
export function optimizerStateFloats(kind: OptimizerKind): number {
  return kind === 'adam' ? 2 : 1;
}

export class AgentOptimizer {
  private t = 0;
  private readonly norms: Float64Array;

  /** `state` holds optimizerStateFloats(kind) * rows * dim zeroed floats (allocated by the caller). */
  constructor(
    private readonly settings: OptimizerSettings,
    private readonly rows: number,
    private readonly dim: number,
    private readonly state: Float32Array,
  ) {
    this.norms = new Float64Array(rows);
  }

  /** agents: unit rows; grad: dL/dW~ (overwritten with the tangent gradient). */
  step(agents: Floats, grad: Floats): void {
    const { rows, dim, settings } = this;
    this.t++;
    const lr = settings.learningRate;
    if (settings.kind === 'sgd') {
      // Row by row, so each row stays in L1 across the passes (one sweep over the matrices, not six).
      // Same arithmetic, in the same order, as normalizeRowsBackward, the update and normalizeRows.
      const v = this.state;
      const momentum = settings.momentum;
      for (let r = 0; r < rows; r++) {
        const o = r * dim;
        let sq = 0;
        let dot = 0;
        for (let i = o; i < o + dim; i++) {
          const a = agents[i] as number;
          sq += a ** 2;
          dot += (grad[i] as number) * a;
        }
        const inv = 1 / Math.sqrt(sq + NORM_EPS);
        this.norms[r] = 1 / inv;
        let moved = 0;
        // Values are read back after each store so they carry the array's rounding, as before.
        for (let i = o; i < o + dim; i++) {
          const a = agents[i] as number;
          grad[i] = ((grad[i] as number) - a * dot) * inv;
          const vi = momentum * (v[i] as number) + (grad[i] as number);
          v[i] = vi;
          agents[i] = a - lr * vi;
          moved += (agents[i] as number) ** 2;
        }
        const unit = 1 / Math.sqrt(moved + NORM_EPS);
        // Carry the velocity into the new tangent plane so momentum never pushes agents off the sphere.
        let along = 0;
        for (let i = o; i < o + dim; i++) {
          agents[i] = (agents[i] as number) * unit;
          along += (v[i] as number) * (agents[i] as number);
        }
        for (let i = o; i < o + dim; i++) v[i] = (v[i] as number) - along * (agents[i] as number);
      }
    } else {
      const n = rows * dim;
      for (let r = 0; r < rows; r++) {
        let sq = 0;
        for (let i = 0; i < dim; i++) sq += (agents[r * dim + i] as number) ** 2;
        this.norms[r] = Math.sqrt(sq + NORM_EPS);
      }
      normalizeRowsBackward(grad, agents, this.norms, rows, dim);
      const { beta1, beta2 } = settings;
      const m = this.state.subarray(0, n);
      const v = this.state.subarray(n, 2 * n);
      const c1 = 1 - beta1 ** this.t;
      const c2 = 1 - beta2 ** this.t;
      for (let i = 0; i < n; i++) {
        const g = grad[i] as number;
        const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
        const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        agents[i] = (agents[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + 1e-8);
      }
      normalizeRows(agents, rows, dim);
    }
  }
}

export interface ScaleSettings {
  /** Paper's released code: 10 (4 for softmax + contrastive). */
  initial: number;
  /** Lower clamp (released code: 0.01). */
  min: number;
  learnable: boolean;
  learningRate: number;
}

export const defaultScaleSettings: ScaleSettings = { initial: 10, min: 0.01, learnable: true, learningRate: 1 };

/** SGD with momentum on the one scalar s, clamped from below. */
export class ScaleOptimizer {
  private velocity = 0;
  constructor(private readonly settings: ScaleSettings, private readonly momentum: number, public value = settings.initial) {}

  step(dScale: number): void {
    if (!this.settings.learnable) return;
    this.velocity = this.momentum * this.velocity + dScale;
    this.value = Math.max(this.settings.min, this.value - this.settings.learningRate * this.velocity);
  }
}
