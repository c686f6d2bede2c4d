// What the handlers need from the training service, named by the handlers' needs; adapted in one
// place when that service lands, so the contract's training calls do not change.
import type { TrainingOptions, TrainingRun } from '../../../core/contract/api';
import type { Store } from '../store/index';

export interface TrainingPort {
  start(options: TrainingOptions): Promise<TrainingRun> | TrainingRun;
  status(): Promise<TrainingRun | null> | TrainingRun | null;
  cancel(): Promise<TrainingRun | null> | TrainingRun | null;
  accept(runId: string): Promise<TrainingRun> | TrainingRun;
  rollback(): Promise<{ activeRunId: string | null }> | { activeRunId: string | null };
  runs(): Promise<TrainingRun[]> | TrainingRun[];
  /** Stops a run in progress without writing to the store (it is about to close); the next start marks it failed. */
  dispose?(): void;
}

/** The training service works on one open store: the app builds it again after a restore reopens it. */
export type TrainingFactory = (store: Store) => TrainingPort;
