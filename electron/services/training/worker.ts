// The worker thread of a training run: runs the native-train protocol off the main thread, posts
// progress, stops when the shared flag is set. Stores nothing: the service does, in one transaction.
import { parentPort, workerData } from 'node:worker_threads';
import { TwoThreadMatMul } from '../../../native-train/kernel/twoThreads.node.js';
import { bestMatMul, WasmMatMul } from '../../../native-train/kernel/wasmMatMul';
import { jsMatMul, type MatMul } from '../../../native-train/matmul';
import { runProtocol } from '../../../native-train/protocol';
import type { WorkerJob, WorkerMessage } from './messages';

const post = (message: WorkerMessage): void => parentPort?.postMessage(message);
const job = workerData as WorkerJob;
const stop = new Int32Array(job.stop);
let two: TwoThreadMatMul | null = null;
try {
  // The training products on both cores; one thread (or plain JS) where that cannot start.
  const split = TwoThreadMatMul.create();
  let matmul: MatMul;
  let warning: string | null = null;
  if (split instanceof Error) ({ matmul, warning } = bestMatMul());
  else matmul = two = split;
  const wasm = WasmMatMul.create();
  const measure = wasm instanceof Error ? jsMatMul : wasm;
  const outcome = runProtocol(job.input, job.settings, matmul, measure, {
    shouldStop: () => Atomics.load(stop, 0) === 1,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'done', outcome, matmul: matmul.name, warning });
} catch (e) {
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
} finally {
  void two?.close();
}
