// Splits the index's int8 first pass between the calling thread and one worker thread over the
// same shared WebAssembly memory (the index must be built with `shared: true`). Rows are handed
// out in small chunks from an atomic counter, so when the other worker of this machine's two cores
// is busy, the free thread simply takes more chunks instead of waiting for a fixed half.
import { Worker } from 'node:worker_threads';
import { int8KernelBytes, wasmApi } from '../../../core/matching/int8Kernel';
import type { Int8Rows } from '../../../core/matching/int8Rows';
import type { TemplateIndex } from '../../../core/matching/templateIndex';

/** Control words shared with the worker. */
const SEQ = 0;
const DONE = 1;
const NEXT = 2;
const COUNT = 3;
const ROWS = 4;
const DOTS = 5;
const PROBE = 6;
const DIM = 7;
const STOP = -1;
/** About 1 MB of int8 rows per chunk: small enough to balance, large enough that the counter is cheap. */
const chunkRows = 2048;
const workerDeadlineMs = 10_000;

// The worker is an inline script so that it runs unchanged under tsx, vitest and the bundled main
// process (no second entry point, no loader): it only instantiates the kernel module it is given.
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const dots = new WebAssembly.Instance(module, { env: { memory } }).exports.dots;
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  const seq = Atomics.load(c, ${SEQ});
  if (seq === ${STOP}) break;
  seen = seq;
  const count = c[${COUNT}], dim = c[${DIM}], rows = c[${ROWS}] >>> 0, out = c[${DOTS}] >>> 0, probe = c[${PROBE}] >>> 0;
  for (;;) {
    const start = Atomics.add(c, ${NEXT}, ${chunkRows});
    if (start >= count) break;
    dots(probe, rows + start * dim, Math.min(${chunkRows}, count - start), out + start * 4);
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

export interface TwoThreadFirstPass {
  /** The split first pass, already attached; kept so a benchmark can detach and re-attach it. */
  readonly score: (rows: Int8Rows, rowCount: number) => void;
  /** Stops the worker and gives the index back its single-threaded first pass. */
  close(): Promise<void>;
}

/** Attaches a second thread to the index's first pass; fails with a readable reason when it cannot. */
export function startTwoThreadFirstPass(index: TemplateIndex): TwoThreadFirstPass | string {
  const rows = index.int8Rows;
  if (!rows) return `the index has no int8 first pass to split (${index.firstPassUnavailable ?? 'exact mode'})`;
  if (!rows.shared) return 'the index must be built with shared: true for a worker thread to read its rows';
  const api = wasmApi();
  if (!api) return 'WebAssembly is not available in this process';
  const module = new api.Module(int8KernelBytes(rows.dim, { shared: true, maximumPages: rows.maximumPages }));
  const control = new Int32Array(new SharedArrayBuffer(8 * 4));
  const worker = new Worker(workerSource, { eval: true, workerData: { module, memory: rows.layout.memory, control: control.buffer } });
  worker.unref();
  let failure: Error | undefined;
  worker.on('error', (error) => {
    failure = error;
  });
  let seq = 0;

  const score = (quantised: Int8Rows, count: number): void => {
    if (failure) throw new Error(`the first-pass worker stopped: ${failure.message}`);
    const { probeOffset, rowsOffset, dotsOffset } = quantised.layout;
    seq = seq === 0x7fffffff ? 1 : seq + 1;
    control[COUNT] = count;
    control[DIM] = quantised.dim;
    control[ROWS] = rowsOffset | 0;
    control[DOTS] = dotsOffset | 0;
    control[PROBE] = probeOffset | 0;
    Atomics.store(control, NEXT, 0);
    Atomics.store(control, SEQ, seq);
    Atomics.notify(control, SEQ);
    for (;;) {
      const start = Atomics.add(control, NEXT, chunkRows);
      if (start >= count) break;
      quantised.score(start, Math.min(start + chunkRows, count));
    }
    // The worker may still be finishing its last chunk. Its 'error' event cannot arrive while this
    // thread blocks, so a worker that never answers is reported after a deadline instead.
    const deadline = Date.now() + workerDeadlineMs;
    for (let done = Atomics.load(control, DONE); done !== seq; done = Atomics.load(control, DONE)) {
      if (Date.now() > deadline) throw new Error(`the first-pass worker did not answer within ${workerDeadlineMs / 1000} s`);
      Atomics.wait(control, DONE, done, 50);
    }
  };
  index.useScorer(score);

  return {
    score,
    async close() {
      index.useScorer(undefined);
      Atomics.store(control, SEQ, STOP);
      Atomics.notify(control, SEQ);
      await worker.terminate();
    },
  };
}
