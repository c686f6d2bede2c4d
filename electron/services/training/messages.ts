// What the training service and its worker thread say to each other (structured-clone values).
import type { ProtocolInput, ProtocolOutcome, ProtocolProgress, ProtocolSettings } from '../../../native-train/protocol';

export interface WorkerJob {
  input: ProtocolInput;
  settings: ProtocolSettings;
  /** Int32Array(1) over a SharedArrayBuffer: the service stores 1 to cancel; polled before every step. */
  stop: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; progress: ProtocolProgress }
  | { type: 'done'; outcome: ProtocolOutcome; matmul: string; warning: string | null }
  | { type: 'error'; message: string };
