// What every loss sees: the cosines between a batch of templates and every agent (rows x classes,
// row stride `stride` >= classes), the class of each row, and where to add dL/dcos.
// Every NormFace loss is a function of these cosines, because on the unit sphere
// |f - W|^2 = 2 - 2 cos(f, W). A row whose label is -1 is an unknown face (a cohort sample):
// it belongs to no agent, so it only ever acts as a negative.
import type { Floats } from '../floats';

export interface CosineBatch {
  cos: Floats;
  labels: Int32Array;
  rows: number;
  classes: number;
  stride: number;
}

export interface LossValue {
  /** Mean over the batch's rows. */
  loss: number;
  /** dL/ds (zero for losses that have no scale). */
  dScale: number;
}
