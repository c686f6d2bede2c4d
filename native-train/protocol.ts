// The fine-tuning protocol: start every agent at its identity's normalised mean template, hold out
// part of each identity's templates (when it has enough), train, and accept the new agents only if
// neither closed-set rank-1 nor open-set FNIR at FPIR 1% on the held-out templates gets worse.
// Otherwise the agents in force stay. Pure: the caller stores the outcome.
import type { MatMul } from './matmul';
import { agentGallery, identificationMetrics, type IdentificationMetrics, type Probes } from './metrics';
import { normalizeRows } from './normalize';
import { seededRandom, shuffle } from './prng';
import { defaultTrainSettings, train, type TrainHooks, type TrainOutcome, type TrainProgress, type TrainSettings } from './trainer';

export interface ProtocolInput {
  dim: number;
  /** Templates of each enrolled identity (unit vectors), indexed like the agents. */
  identities: readonly (readonly Float32Array[])[];
  /** Unknown faces (e.g. the kiosk's unrecognised captures): extra negatives and non-mated probes. */
  cohort?: readonly Float32Array[];
}

export interface ProtocolSettings {
  train: TrainSettings;
  /** An identity with at least this many templates lends some to the held-out split. */
  minTemplatesToHoldOut: number;
  /** Share of such an identity's templates held out (at least one). */
  holdOutShare: number;
  /** Share of the cohort used as non-mated probes; the rest trains as negatives. */
  cohortProbeShare: number;
  targetFpir: number;
  /** Held-out metrics are measured every this many steps (and reported with progress); 0: only at the end. */
  measureEvery: number;
}

export const defaultProtocolSettings: ProtocolSettings = {
  train: defaultTrainSettings,
  minTemplatesToHoldOut: 4,
  holdOutShare: 0.25,
  cohortProbeShare: 0.5,
  targetFpir: 0.01,
  measureEvery: 10,
};

/** A training step's progress, with held-out figures on the steps where they were measured. */
export interface ProtocolProgress extends TrainProgress {
  heldOut: IdentificationMetrics | null;
}

export interface ProtocolHooks extends Omit<TrainHooks, 'onProgress'> {
  onProgress?(progress: ProtocolProgress): void;
}

export interface ProtocolOutcome {
  accepted: boolean;
  /** Why the run was accepted or not, for the person watching. */
  reason: string;
  before: IdentificationMetrics | null;
  after: IdentificationMetrics | null;
  train: TrainOutcome;
  heldOut: number;
}

export function meanAgents(identities: readonly (readonly Float32Array[])[], dim: number): Float32Array {
  const agents = new Float32Array(identities.length * dim);
  identities.forEach((templates, c) => {
    for (const t of templates) for (let i = 0; i < dim; i++) agents[c * dim + i] = (agents[c * dim + i] as number) + (t[i] as number);
  });
  normalizeRows(agents, identities.length, dim);
  return agents;
}

export interface Split {
  train: Float32Array[][];
  heldOut: Probes;
  cohortTrain: Float32Array[];
}

export function splitForProtocol(input: ProtocolInput, settings: ProtocolSettings, seed: number): Split {
  const random = seededRandom(seed ^ 0x5eed);
  const { dim } = input;
  const train: Float32Array[][] = [];
  const probeVectors: Float32Array[] = [];
  const probeLabels: number[] = [];
  input.identities.forEach((templates, c) => {
    const order = shuffle(new Int32Array(templates.length).map((_, i) => i), random);
    const hold = templates.length >= settings.minTemplatesToHoldOut
      ? Math.max(1, Math.floor(templates.length * settings.holdOutShare)) : 0;
    train.push(Array.from(order.subarray(hold), (i) => templates[i] as Float32Array));
    for (const i of order.subarray(0, hold)) { probeVectors.push(templates[i] as Float32Array); probeLabels.push(c); }
  });
  const cohort = input.cohort ?? [];
  const cohortOrder = shuffle(new Int32Array(cohort.length).map((_, i) => i), random);
  const cohortProbes = Math.floor(cohort.length * settings.cohortProbeShare);
  for (const i of cohortOrder.subarray(0, cohortProbes)) { probeVectors.push(cohort[i] as Float32Array); probeLabels.push(-1); }
  const cohortTrain = Array.from(cohortOrder.subarray(cohortProbes), (i) => cohort[i] as Float32Array);
  const templates = new Float32Array(probeVectors.length * dim);
  probeVectors.forEach((v, i) => templates.set(v, i * dim));
  return { train, heldOut: { dim, templates, labels: Int32Array.from(probeLabels) }, cohortTrain };
}

export function runProtocol(
  input: ProtocolInput, settings: ProtocolSettings, matmul: MatMul, measure: MatMul, hooks: ProtocolHooks = {},
): ProtocolOutcome {
  const { dim } = input;
  const classes = input.identities.length;
  const split = splitForProtocol(input, settings, settings.train.seed);
  const agents = meanAgents(split.train, dim);
  const rows = split.train.reduce((n, t) => n + t.length, 0) + split.cohortTrain.length;
  const templates = new Float32Array(rows * dim);
  const labels = new Int32Array(rows);
  let r = 0;
  split.train.forEach((list, c) => list.forEach((t) => { templates.set(t, r * dim); labels[r++] = c; }));
  for (const t of split.cohortTrain) { templates.set(t, r * dim); labels[r++] = -1; }

  const known = split.heldOut.labels.filter((l) => l >= 0).length;
  const options = { targetFpir: settings.targetFpir, leaveOwnOut: true };
  const { onProgress } = hooks;
  const outcome = train({ dim, templates, labels, classes, agents }, settings.train, matmul, {
    ...hooks,
    onProgress: onProgress && ((p, current) => {
      const due = known > 0 && settings.measureEvery > 0 && (p.step % settings.measureEvery === 0 || p.step === p.steps);
      onProgress({ ...p, heldOut: due ? identificationMetrics(measure, split.heldOut, agentGallery(current, classes), classes, options) : null });
    }),
  });
  if (outcome.status !== 'done') {
    return { accepted: false, reason: outcome.message ?? outcome.status, before: null, after: null, train: outcome, heldOut: known };
  }
  if (known === 0) {
    return {
      accepted: false, before: null, after: null, train: outcome, heldOut: 0,
      reason: `no identity has ${settings.minTemplatesToHoldOut} templates, so nothing can be held out to check the run: previous agents stay`,
    };
  }
  const before = identificationMetrics(measure, split.heldOut, agentGallery(agents, classes), classes, options);
  const after = identificationMetrics(measure, split.heldOut, agentGallery(outcome.agents, classes), classes, options);
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const figures = `rank-1 ${pct(before.rank1)} -> ${pct(after.rank1)}, FNIR at FPIR ${pct(settings.targetFpir)} ${pct(before.fnir)} -> ${pct(after.fnir)} on ${known} held-out templates`;
  const accepted = after.rank1 >= before.rank1 && after.fnir <= before.fnir;
  return {
    accepted, before, after, train: outcome, heldOut: known,
    reason: accepted ? `accepted: ${figures}` : `rejected, previous agents stay: ${figures}`,
  };
}
