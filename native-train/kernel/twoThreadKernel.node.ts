// One WebAssembly kernel on two threads: the calling thread and one helper worker run the same
// exported function over the same shared memory, each on chunks of rows handed out from an atomic
// counter. When the other core is busy (the machine is shared), the free thread simply takes more
// chunks; when the helper is not running (not started yet, or descheduled), the caller takes them all.
// The caller never waits for a chunk the helper holds: it computes any chunk not marked done itself
// (the same call, so the same bits; two identical writes are harmless). Whether the helper may still
// be writing after run() returns is the caller's choice (`lateWrites`): training lets it finish while
// the loss and optimizer run; the matcher, whose memory layout moves between searches, does not.
// Used by the training products (twoThreads.node.ts) and the matcher's first pass
// (electron/services/matcher/twoThreadFirstPass.ts).
import { Worker } from 'node:worker_threads';

/** Control words shared with the helper. NEXT = (run tag << 16) | next chunk index. */
const SEQ = 0;
const NEXT = 1;
const BUSY = 2;
const CHUNK = 3;
const ROWS = 4;
const CHUNKS = 5;
const COUNT_AT = 6;
const ARGC = 7;
/** ARGS + 2i holds argument i for row 0, ARGS + 2i + 1 how far it moves per row. */
const ARGS = 8;
const MAX_ARGS = 12;
/** DONE + i holds the run tag whose chunk i the helper finished. */
const DONE = ARGS + 2 * MAX_ARGS;
/** The chunk index has 16 bits in NEXT. */
const MAX_CHUNKS = 0xffff;
const STOP = -1;
const helperDeadlineMs = 10_000;

// An inline script, so it runs unchanged under tsx, vitest and a bundled app (no second entry point,
// no worker file to find next to the bundle): it only instantiates the kernel module it is given.
const helperSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, exportName } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports[exportName];
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  const seq = Atomics.load(c, ${SEQ});
  if (seq === ${STOP}) break;
  seen = seq;
  Atomics.add(c, ${BUSY}, 1);
  const chunk = c[${CHUNK}], rows = c[${ROWS}], chunks = c[${CHUNKS}], countAt = c[${COUNT_AT}], argc = c[${ARGC}], tag = (seq & 0x7fff) << 16;
  const args = new Array(argc);
  for (;;) {
    // A claim only counts for the run it was read for: a late helper never touches the next one.
    const v = Atomics.load(c, ${NEXT});
    if ((v & ~0xffff) !== tag || (v & 0xffff) >= chunks) break;
    if (Atomics.compareExchange(c, ${NEXT}, v, v + 1) !== v) continue;
    const from = (v & 0xffff) * chunk, to = Math.min(rows, from + chunk);
    for (let i = 0; i < argc; i++) args[i] = i === countAt ? to - from : (c[${ARGS} + 2 * i] >>> 0) + from * c[${ARGS} + 2 * i + 1];
    kernel(...args);
    Atomics.store(c, ${DONE} + (v & 0xffff), seq);
  }
  Atomics.sub(c, ${BUSY}, 1);
  Atomics.notify(c, ${BUSY});
}
`;

/** The WebAssembly pieces a second thread needs: a compiled module that imports `env.memory`. */
export interface KernelModule {
  module: object;
  memory: object;
  /** The exported function to run, e.g. 'gemmNT' or 'dots'. */
  exportName: string;
}

/** One call of the kernel, split by rows: argument i for rows [from, to) is args[i] + from * perRow[i],
 * except argument countAt, which is the number of rows (to - from). */
export interface RowSplit {
  rows: number;
  chunkRows: number;
  args: readonly number[];
  perRow: readonly number[];
  countAt: number;
}

export interface TwoThreadKernelOptions {
  /** Says who failed in errors the UI may show, e.g. 'the second training thread'. */
  helperName: string;
  /** 'allowed': run() may return while the helper still writes the chunk it holds (identical bits);
   * the next run() waits for it. 'never': run() returns only when the helper is idle. */
  lateWrites: 'allowed' | 'never';
}

type Kernel = (...args: number[]) => void;

export class TwoThreadKernel {
  private readonly control = new Int32Array(new SharedArrayBuffer((DONE + MAX_CHUNKS) * 4));
  private readonly mine = new Uint8Array(MAX_CHUNKS);
  private readonly args: number[] = [];
  private readonly helper: Worker;
  private failure: Error | undefined;
  private seq = 0;

  private constructor(private readonly kernel: Kernel, shared: KernelModule, private readonly options: TwoThreadKernelOptions) {
    const { module, memory, exportName } = shared;
    this.helper = new Worker(helperSource, { eval: true, workerData: { module, memory, control: this.control.buffer, exportName } });
    // Never keeps a process alive; close() stops it.
    this.helper.unref();
    this.helper.on('error', (e) => { this.failure = e; });
  }

  /** Starts the helper; the calling thread gets its own instance of the same module over the same memory. */
  static start(shared: KernelModule, options: TwoThreadKernelOptions): TwoThreadKernel | Error {
    const api = (globalThis as unknown as { WebAssembly?: { Instance: new (m: object, imports: object) => { exports: Record<string, unknown> } } }).WebAssembly;
    if (!api) return new Error('WebAssembly is not available in this process');
    const kernel = new api.Instance(shared.module, { env: { memory: shared.memory } }).exports[shared.exportName];
    if (typeof kernel !== 'function') return new Error(`the kernel module exports no function ${shared.exportName}`);
    return new TwoThreadKernel(kernel as Kernel, shared, options);
  }

  /** Runs the whole split; on return every row's result is written. */
  run(split: RowSplit): void {
    this.throwIfStopped();
    const { rows, chunkRows, args, perRow, countAt } = split;
    if (args.length > MAX_ARGS || perRow.length !== args.length) throw new RangeError(`a split kernel call takes at most ${MAX_ARGS} arguments, each with its step per row`);
    const chunks = Math.ceil(rows / chunkRows);
    if (chunks > MAX_CHUNKS) throw new RangeError(`${rows} rows in chunks of ${chunkRows} make more than ${MAX_CHUNKS} chunks`);
    const ctl = this.control;
    // A helper still writing the previous run (maybe into this same output) must finish first.
    this.waitForIdleHelper();
    this.seq = this.seq >= 0x7fff ? 1 : this.seq + 1;
    const seq = this.seq;
    ctl[CHUNK] = chunkRows; ctl[ROWS] = rows; ctl[CHUNKS] = chunks; ctl[COUNT_AT] = countAt; ctl[ARGC] = args.length;
    for (let i = 0; i < args.length; i++) {
      ctl[ARGS + 2 * i] = args[i]! | 0;
      ctl[ARGS + 2 * i + 1] = perRow[i]! | 0;
    }
    // Cleared before the claims open, so a tag left from 32,767 runs ago can never pass for done.
    for (let index = 0; index < chunks; index++) Atomics.store(ctl, DONE + index, 0);
    Atomics.store(ctl, NEXT, seq << 16);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);
    const mine = this.mine.fill(0, 0, chunks);
    for (;;) {
      const v = Atomics.load(ctl, NEXT);
      const index = v & 0xffff;
      if (index >= chunks) break;
      if (Atomics.compareExchange(ctl, NEXT, v, v + 1) !== v) continue;
      mine[index] = 1;
      this.runChunk(index, split);
    }
    if (this.options.lateWrites === 'never') this.waitForIdleHelper();
    // Chunks the helper claimed but has not finished (descheduled, on a busy machine): done here too.
    for (let index = 0; index < chunks; index++) {
      if (mine[index] === 1 || Atomics.load(ctl, DONE + index) === seq) continue;
      this.runChunk(index, split);
    }
  }

  /** Runs the whole call on this thread alone, after any late helper write (for calls too small to split). */
  runHere(split: RowSplit): void {
    this.throwIfStopped();
    this.waitForIdleHelper();
    this.runChunk(0, { ...split, chunkRows: split.rows });
  }

  /** Stops the helper thread. */
  async close(): Promise<void> {
    Atomics.store(this.control, SEQ, STOP);
    Atomics.notify(this.control, SEQ);
    await this.helper.terminate();
  }

  private runChunk(index: number, split: RowSplit): void {
    const from = index * split.chunkRows;
    const to = Math.min(split.rows, from + split.chunkRows);
    const args = this.args;
    args.length = split.args.length;
    for (let i = 0; i < args.length; i++) args[i] = i === split.countAt ? to - from : (split.args[i]! >>> 0) + from * split.perRow[i]!;
    this.kernel(...args);
  }

  private throwIfStopped(): void {
    if (this.failure) throw new Error(`${this.options.helperName} stopped: ${this.failure.message}`);
  }

  private waitForIdleHelper(): void {
    const ctl = this.control;
    const deadline = Date.now() + helperDeadlineMs;
    for (let busy = Atomics.load(ctl, BUSY); busy !== 0; busy = Atomics.load(ctl, BUSY)) {
      // Its 'error' event cannot arrive while this thread blocks: a helper that never finishes fails by deadline.
      if (Date.now() > deadline) throw new Error(`${this.options.helperName} did not finish within ${helperDeadlineMs / 1000} s`);
      Atomics.wait(ctl, BUSY, busy, 50);
    }
  }
}
