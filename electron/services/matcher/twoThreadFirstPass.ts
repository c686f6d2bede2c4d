// Splits the index's int8 first pass between the calling thread and one worker thread over the
// same shared WebAssembly memory (the index must be built with `shared: true`), with the kernel
// runner training uses too (native-train/kernel/twoThreadKernel.node.ts). The worker never writes
// after a search's first pass returns: adding rows moves the dots region under it.
import { int8KernelBytes, wasmApi } from '../../../core/matching/int8Kernel';
import type { Int8Rows } from '../../../core/matching/int8Rows';
import type { TemplateIndex } from '../../../core/matching/templateIndex';
import { TwoThreadKernel } from '../../../native-train/kernel/twoThreadKernel.node.js';

/** About 1 MB of int8 rows per chunk: small enough to balance, large enough that the counter is cheap. */
const chunkRows = 2048;

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
  const threads = TwoThreadKernel.start({ module, memory: rows.layout.memory, exportName: 'dots' }, { helperName: 'the first-pass worker', lateWrites: 'never' });
  if (threads instanceof Error) return threads.message;

  const score = (quantised: Int8Rows, count: number): void => {
    // dots(probe, rows, count, out): one int32 dot per int8 row of `dim` bytes.
    const { probeOffset, rowsOffset, dotsOffset } = quantised.layout;
    threads.run({ rows: count, chunkRows, args: [probeOffset, rowsOffset, count, dotsOffset], perRow: [0, quantised.dim, 0, 4], countAt: 2 });
  };
  index.useScorer(score);

  return {
    score,
    async close() {
      index.useScorer(undefined);
      await threads.close();
    },
  };
}
