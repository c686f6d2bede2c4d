// TrainingService: fine-tunes the agents of the enrolled identities (native-train) in a worker
// thread and records each run in the store. One run at a time. The store gets a run's agents only
// at the end, in one transaction with its status, so a run that is cancelled, fails or is killed
// with the app leaves the agents in force untouched; a run the app died in is marked failed at the
// next start. Implements the app's TrainingPort (electron/services/app/ports.ts).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApiError, MAX_LOSS_POINTS, type TrainingOptions, type TrainingRun, type TrainingState } from '../../../core/contract/api';
import type { LossKind } from '../../../native-train/losses/loss';
import { defaultProtocolSettings, type ProtocolOutcome, type ProtocolProgress, type ProtocolSettings } from '../../../native-train/protocol';
import type { JsonObject, Store, TrainingRunRow } from '../store/index';
import type { TrainingPort } from '../app/ports';
import type { WorkerJob, WorkerMessage } from './messages';

export type TrainingStore = Pick<Store, 'allTemplates' | 'createRun' | 'finishRun' | 'listRuns' | 'activeAgents' | 'acceptRun' | 'rollback'> & Partial<Pick<Store, 'cohortTemplates'>>;

export type TrainingEvent =
  | { type: 'progress'; runId: string; progress: ProtocolProgress }
  | { type: 'finished'; run: TrainingRun };

export interface TrainingServiceOptions {
  /** Protocol and training defaults; a run's TrainingOptions override loss, scale, epochs and rate. */
  settings?: ProtocolSettings;
  /** Store a run that passes the held-out check as accepted (in force) right away. Default true. */
  autoAccept?: boolean;
  /** The worker's script; defaults to worker.ts (through tsx) beside this file, or worker.js when built. */
  workerUrl?: URL;
  /** Heap cap of the worker (MiB); the run's matrices are capped by settings.train.maxBytes. */
  workerHeapMiB?: number;
  /** Train on this embedder's templates only (the app's); default: the model most identities have. */
  modelId?: string;
  /** Where problems no caller can be told about go (a run that could not be saved at all). */
  log?: (message: string, error: unknown) => void;
}

const apiCodes = { busy: 'conflict', not_found: 'not-found', invalid: 'conflict' } as const;

/** Thrown for calls that cannot be done now; the message is for the person. An ApiError, so the
 * contract's dispatcher passes it on as is. */
export class TrainingError extends ApiError {
  constructor(readonly reason: keyof typeof apiCodes, message: string) {
    super({ code: apiCodes[reason], message });
    this.name = 'TrainingError';
  }
}

interface Current {
  runId: string;
  startedAt: number;
  options: TrainingOptions;
  worker: Worker;
  stop: Int32Array;
  /** Set by dispose(): the store is closing, so the run's end is not written (next start marks it failed). */
  dropped: boolean;
  last: ProtocolProgress | null;
  /** Loss at every progress event, for the live curve. */
  curve: { step: number; loss: number }[];
  done: Promise<void>;
}

const lossOf: Record<NonNullable<TrainingOptions['loss']>, LossKind> = {
  softmax: 'softmax', 'softmax+contrastive': 'softmax+contrastive', 'softmax+triplet': 'softmax+triplet',
};

export class TrainingService implements TrainingPort {
  private current: Current | null = null;
  private readonly listeners = new Set<(event: TrainingEvent) => void>();
  private readonly settings: ProtocolSettings;
  private readonly autoAccept: boolean;

  constructor(private readonly store: TrainingStore, private readonly options: TrainingServiceOptions = {}) {
    this.settings = options.settings ?? defaultProtocolSettings;
    this.autoAccept = options.autoAccept ?? true;
    this.recoverInterrupted();
  }

  /** Events of the current run (progress with held-out figures, then finished). Returns unsubscribe. */
  on(listener: (event: TrainingEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(options: TrainingOptions = {}): TrainingRun {
    if (this.current) throw new TrainingError('busy', 'A training run is already in progress: wait for it or cancel it.');
    const { input, identityIds } = this.gather(options.cohort === true);
    if (identityIds.length < 2) throw new TrainingError('invalid', 'Training needs at least two enrolled people.');
    const settings = this.settingsFor(options);
    const stored = this.store.createRun({
      options: { ...options }, loss: settings.train.loss.kind, optimizer: settings.train.optimizer.kind,
      learningRate: settings.train.optimizer.learningRate, epochs: settings.train.epochs, seed: settings.train.seed,
      scale: settings.train.scale.initial, scaleLearnable: settings.train.scale.learnable, identities: identityIds.length,
      cohort: input.cohort?.length ?? 0,
    });
    const stopBuffer = new SharedArrayBuffer(4);
    const job: WorkerJob = { input, settings, stop: stopBuffer };
    const url = this.options.workerUrl ?? defaultWorkerUrl();
    const resourceLimits = { maxOldGenerationSizeMb: this.options.workerHeapMiB ?? 512 };
    // From sources (tests, tsx), the worker registers tsx's loader itself: a worker does not inherit it.
    const worker = url.pathname.endsWith('.ts')
      ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(fileURLToPath(url))});`, { eval: true, workerData: job, resourceLimits })
      : new Worker(url, { workerData: job, resourceLimits });
    let settle: () => void = () => {};
    const current: Current = {
      runId: stored.id, startedAt: stored.startedAt, options, worker, stop: new Int32Array(stopBuffer), dropped: false, last: null, curve: [],
      done: new Promise<void>((resolve) => { settle = resolve; }),
    };
    this.current = current;
    // The worker checks the time cap between steps; this catches a step that never returns.
    const watchdog = setTimeout(() => { void worker.terminate(); }, (settings.train.maxSeconds + 30) * 1000);
    let finished = false;
    const finish = (outcome: Parameters<TrainingService['record']>[1]): void => {
      if (finished) return;
      finished = true;
      clearTimeout(watchdog);
      this.current = null;
      if (current.dropped) {
        settle();
        return;
      }
      const run = this.record(current.runId, outcome, identityIds);
      void worker.terminate();
      this.emit({ type: 'finished', run });
      settle();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        current.last = message.progress;
        current.curve.push({ step: message.progress.step, loss: message.progress.loss });
        this.emit({ type: 'progress', runId: current.runId, progress: message.progress });
      } else if (message.type === 'done') {
        finish({ kind: 'outcome', outcome: message.outcome, matmul: message.matmul });
      } else {
        finish({ kind: 'error', message: `training failed: ${message.message}` });
      }
    });
    worker.on('error', (e) => finish({ kind: 'error', message: `the training worker crashed: ${e.message}` }));
    worker.on('exit', (code) => finish({ kind: 'error', message: `the training worker stopped unexpectedly (exit code ${code})` }));
    return this.view(stored);
  }

  status(): TrainingRun | null {
    const runs = this.store.listRuns();
    const run = this.current ? runs.find((r) => r.id === this.current?.runId) : runs[0];
    return run ? this.view(run) : null;
  }

  /** Asks the running run to stop at its next step; resolves once it is recorded as cancelled. */
  async cancel(): Promise<TrainingRun | null> {
    const current = this.current;
    if (!current) return this.status();
    Atomics.store(current.stop, 0, 1);
    await current.done;
    return this.view(this.find(current.runId));
  }

  accept(runId: string): TrainingRun {
    const run = this.find(runId);
    if (run.metrics?.gatePassed !== 1) {
      throw new TrainingError('invalid', `Run ${run.version} made identification worse on the held-out templates (or did not finish), so it cannot be used.`);
    }
    return this.view(this.store.acceptRun(runId));
  }

  rollback(): { activeRunId: string | null } {
    const active = this.store.rollback();
    return { activeRunId: active?.id ?? null };
  }

  runs(): TrainingRun[] {
    return this.store.listRuns().map((r) => this.view(r));
  }

  /** Resolves when no run is in progress. */
  async whenIdle(): Promise<void> {
    await this.current?.done;
  }

  /** Stops a run in progress (recorded as cancelled) before the app closes the store. */
  async close(): Promise<void> {
    await this.cancel();
  }

  /** For a store about to close now: stops the worker and writes nothing more; the run stays
   * 'running' in the store and the next TrainingService over it marks it failed (interrupted). */
  dispose(): void {
    const current = this.current;
    if (!current) return;
    current.dropped = true;
    Atomics.store(current.stop, 0, 1);
    void current.worker.terminate();
  }

  private emit(event: TrainingEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private find(runId: string): TrainingRunRow {
    const run = this.store.listRuns().find((r) => r.id === runId);
    if (!run) throw new TrainingError('not_found', 'That training run no longer exists; refresh the list.');
    return run;
  }

  /** Runs left 'running' by an app that died mid-run: they never got agents; say so. */
  private recoverInterrupted(): void {
    for (const run of this.store.listRuns()) {
      if (run.status !== 'running') continue;
      this.store.finishRun(run.id, {
        status: 'failed', agents: [],
        metrics: { interrupted: 1, reason: 'the app closed while this run was training; the agents in force did not change' },
      });
    }
  }

  /** Templates grouped by identity, for the embedder most of them come from. */
  private gather(withCohort: boolean): { input: { dim: number; identities: Float32Array[][]; cohort?: Float32Array[] }; identityIds: string[] } {
    const byModel = new Map<string, Map<string, Float32Array[]>>();
    for (const t of this.store.allTemplates()) {
      if (this.options.modelId !== undefined && t.modelId !== this.options.modelId) continue;
      const identities = byModel.get(t.modelId) ?? new Map<string, Float32Array[]>();
      byModel.set(t.modelId, identities);
      const list = identities.get(t.identityId) ?? [];
      identities.set(t.identityId, list);
      list.push(t.vector);
    }
    let best = new Map<string, Float32Array[]>();
    for (const identities of byModel.values()) if (identities.size > best.size) best = identities;
    const identityIds = [...best.keys()];
    const dim = best.values().next().value?.[0]?.length ?? 0;
    const identities = identityIds.map((id) => best.get(id) as Float32Array[]);
    if (!withCohort || !this.store.cohortTemplates) return { input: { dim, identities }, identityIds };
    // The kiosk's kept unrecognised faces of the same embedder: negatives (and non-mated held-out probes).
    const model = this.options.modelId;
    const cohort = [...this.store.cohortTemplates()].filter((t) => (model === undefined || t.modelId === model) && t.vector.length === dim).map((t) => t.vector);
    return { input: { dim, identities, cohort }, identityIds };
  }

  private settingsFor(options: TrainingOptions): ProtocolSettings {
    const base = this.settings;
    return {
      ...base,
      train: {
        ...base.train,
        loss: { ...base.train.loss, kind: options.loss ? lossOf[options.loss] : base.train.loss.kind },
        epochs: options.epochs ?? base.train.epochs,
        optimizer: { ...base.train.optimizer, learningRate: options.learningRate ?? base.train.optimizer.learningRate },
        scale: options.scale === undefined ? base.train.scale : { ...base.train.scale, initial: options.scale, learnable: false },
      },
    };
  }

  private record(
    runId: string,
    result: { kind: 'outcome'; outcome: ProtocolOutcome; matmul: string } | { kind: 'error'; message: string },
    identityIds: string[],
  ): TrainingRun {
    let status: 'accepted' | 'rejected' | 'failed' = 'failed';
    let metrics: JsonObject = { reason: result.kind === 'error' ? result.message : '' };
    let agents: { identityId: string; vector: Float32Array }[] = [];
    if (result.kind === 'outcome') {
      const { outcome } = result;
      const t = outcome.train;
      metrics = {
        reason: outcome.reason, gatePassed: outcome.accepted ? 1 : 0, heldOut: outcome.heldOut,
        steps: t.steps, seconds: t.seconds, scale: Number.isFinite(t.scale) ? t.scale : null,
        loss: t.losses.at(-1) ?? null, matmul: result.matmul, lossCurve: thinCurve(t.losses.map((loss, i) => ({ step: i + 1, loss }))),
        rank1Before: outcome.before?.rank1 ?? null, rank1After: outcome.after?.rank1 ?? null,
        fnirBefore: outcome.before?.fnir ?? null, fnirAfter: outcome.after?.fnir ?? null,
      };
      if (t.status === 'cancelled') metrics.cancelled = 1;
      if (t.status === 'done') {
        status = outcome.accepted && this.autoAccept ? 'accepted' : 'rejected';
        const dim = t.agents.length / identityIds.length;
        agents = identityIds.map((identityId, c) => ({ identityId, vector: t.agents.slice(c * dim, (c + 1) * dim) }));
      }
    }
    try {
      return this.view(this.store.finishRun(runId, { status, metrics, agents }).run);
    } catch (e) {
      const reason = `the run finished but could not be saved: ${e instanceof Error ? e.message : String(e)}`;
      try {
        return this.view(this.store.finishRun(runId, { status: 'failed', agents: [], metrics: { reason } }).run);
      } catch (again) {
        // Called from a worker event: a throw here would take the process down. The store keeps
        // the run as 'running', which the next start turns into failed.
        (this.options.log ?? console.error)(`normface: training run ${runId} could not be recorded`, again);
        return { id: runId, state: 'failed', startedAt: 0, finishedAt: null, options: {}, progress: 1, metrics: {}, lossCurve: [], message: reason };
      }
    }
  }

  private view(run: TrainingRunRow): TrainingRun {
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(run.metrics ?? {})) if (typeof v === 'number') metrics[k] = v;
    const reason = run.metrics?.reason;
    const current = this.current?.runId === run.id ? this.current : null;
    const stored = run.metrics?.lossCurve;
    const lossCurve = Array.isArray(stored) ? (stored as { step: number; loss: number }[]) : thinCurve(current?.curve ?? []);
    const last = current?.last;
    if (last) {
      metrics.step = last.step;
      metrics.loss = last.loss;
      metrics.scale = last.scale;
    }
    return {
      id: run.id,
      state: stateOf(run),
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      options: (run.settings.options ?? {}) as TrainingOptions,
      progress: run.status === 'running' ? (last ? last.step / Math.max(1, last.steps) : 0) : 1,
      metrics,
      lossCurve,
      message: typeof reason === 'string' && reason !== '' ? reason : null,
    };
  }
}

/** At most MAX_LOSS_POINTS evenly spaced points, the last one always kept. */
function thinCurve(points: { step: number; loss: number }[]): { step: number; loss: number }[] {
  const finite = points.filter((p) => Number.isFinite(p.loss));
  if (finite.length <= MAX_LOSS_POINTS) return finite;
  const every = finite.length / MAX_LOSS_POINTS;
  const out = Array.from({ length: MAX_LOSS_POINTS - 1 }, (_, i) => finite[Math.floor(i * every)]!);
  out.push(finite[finite.length - 1]!);
  return out;
}

function stateOf(run: TrainingRunRow): TrainingState {
  switch (run.status) {
    case 'running': return 'running';
    case 'accepted': return 'accepted';
    case 'rolled_back': return 'rolled-back';
    case 'rejected': return 'done';
    case 'failed': return run.metrics?.cancelled === 1 ? 'cancelled' : 'failed';
  }
}

function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './worker.ts' : './worker.js', here);
}
