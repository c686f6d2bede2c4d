// The training products on two threads: the calling thread and one helper worker run the same
// WebAssembly kernel over the same shared memory, each on chunks of rows of C handed out from an
// atomic counter. When the other core is busy (the machine is shared), the free thread simply takes
// more chunks; when the helper is not running (not started yet, or gone), the caller takes them all.
// The caller never waits for a chunk the helper holds: it computes any chunk not marked done itself
// (the same call, so the same bits; two identical writes are harmless), and only waits, before the
// next product, for a helper still writing the last one (it had the loss and optimizer to finish).
import { Worker } from 'node:worker_threads';
import type { MatMul } from '../matmul';
import { WasmMatMul } from './wasmMatMul';

/** Control words shared with the helper. NEXT = (product tag << 16) | next chunk index. */
const SEQ = 0;
const NEXT = 1;
const BUSY = 2;
const M = 3;
const N = 4;
const K = 5;
const LDC = 6;
const A = 7;
const B = 8;
const C = 9;
const CHUNK = 10;
const CHUNKS = 11;
/** DONE + i holds the product tag whose chunk i the helper finished. */
const DONE = 16;
const MAX_CHUNKS = 48;
const STOP = -1;
/** Products smaller than this many rows of C stay on one thread (the hand-off costs more). */
const MIN_SPLIT_ROWS = 64;
const helperDeadlineMs = 10_000;

// An inline script, so it runs unchanged under tsx, vitest and a bundled app (no second entry point):
// it only instantiates the kernel module it is given over the shared memory.
const helperSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, blockRows } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemmNT;
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  const seq = Atomics.load(c, ${SEQ});
  if (seq === ${STOP}) break;
  seen = seq;
  Atomics.add(c, ${BUSY}, 1);
  const m = c[${M}], n = c[${N}], k = c[${K}], ldc = c[${LDC}], a = c[${A}] >>> 0, b = c[${B}] >>> 0, out = c[${C}] >>> 0;
  const chunk = c[${CHUNK}], chunks = c[${CHUNKS}], tag = (seq & 0x7fff) << 16;
  for (;;) {
    // A claim only counts for the product it was read for: a late helper never touches the next one.
    const v = Atomics.load(c, ${NEXT});
    if ((v & ~0xffff) !== tag || (v & 0xffff) >= chunks) break;
    if (Atomics.compareExchange(c, ${NEXT}, v, v + 1) !== v) continue;
    const from = (v & 0xffff) * chunk, to = Math.min(m, from + chunk);
    gemm(a + from * k * 4, b, out + from * ldc * 4, to - from, n, k, k, k, ldc, blockRows);
    Atomics.store(c, ${DONE} + (v & 0xffff), seq);
  }
  Atomics.sub(c, ${BUSY}, 1);
  Atomics.notify(c, ${BUSY});
}
`;

export class TwoThreadMatMul implements MatMul {
  readonly name = 'wasm-simd x2 threads';
  private readonly control = new Int32Array(new SharedArrayBuffer((DONE + MAX_CHUNKS) * 4));
  private readonly mine = new Uint8Array(MAX_CHUNKS);
  private readonly helper: Worker;
  private failure: Error | undefined;
  private seq = 0;

  private constructor(private readonly kernel: WasmMatMul) {
    const { module, memory, blockRows } = kernel.shared;
    this.helper = new Worker(helperSource, { eval: true, workerData: { module, memory, control: this.control.buffer, blockRows } });
    // Never keeps a process alive; close() stops it.
    this.helper.unref();
    this.helper.on('error', (e) => { this.failure = e; });
  }

  /** The two-thread kernel, or an Error saying why it cannot run here. */
  static create(): TwoThreadMatMul | Error {
    const kernel = WasmMatMul.create();
    return kernel instanceof Error ? kernel : new TwoThreadMatMul(kernel);
  }

  allocate(lengths: readonly number[]): Float32Array[] {
    return this.kernel.allocate(lengths);
  }

  nt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, ldc = n): void {
    this.kernel.check(a, b, c, k);
    if (this.failure) throw new Error(`the second training thread stopped: ${this.failure.message}`);
    if (m < MIN_SPLIT_ROWS) {
      this.kernel.ntRows(a, b, c, 0, m, n, k, ldc);
      return;
    }
    // About 16 chunks: enough to balance two unevenly loaded cores, few enough that each stays long.
    const chunk = Math.max(8, Math.ceil(m / 16 / 2) * 2);
    const chunks = Math.ceil(m / chunk);
    const ctl = this.control;
    // A helper still writing the previous product (maybe into this same C) must finish first.
    const deadline = Date.now() + helperDeadlineMs;
    for (let busy = Atomics.load(ctl, BUSY); busy !== 0; busy = Atomics.load(ctl, BUSY)) {
      // Its 'error' event cannot arrive while this thread blocks: a helper that never finishes fails by deadline.
      if (Date.now() > deadline) throw new Error(`the second training thread did not finish within ${helperDeadlineMs / 1000} s`);
      Atomics.wait(ctl, BUSY, busy, 50);
    }
    this.seq = this.seq >= 0x7fff ? 1 : this.seq + 1;
    const seq = this.seq;
    ctl[M] = m; ctl[N] = n; ctl[K] = k; ctl[LDC] = ldc; ctl[CHUNK] = chunk; ctl[CHUNKS] = chunks;
    ctl[A] = a.byteOffset | 0; ctl[B] = b.byteOffset | 0; ctl[C] = c.byteOffset | 0;
    // Cleared before the claims open, so a tag left from 32,767 products ago can never pass for done.
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
      const from = index * chunk;
      this.kernel.ntRows(a, b, c, from, Math.min(m, from + chunk), n, k, ldc);
    }
    // Chunks the helper claimed but has not finished (descheduled, on a busy machine): done here too.
    for (let index = 0; index < chunks; index++) {
      if (mine[index] === 1 || Atomics.load(ctl, DONE + index) === seq) continue;
      const from = index * chunk;
      this.kernel.ntRows(a, b, c, from, Math.min(m, from + chunk), n, k, ldc);
    }
  }

  /** Stops the helper thread. */
  async close(): Promise<void> {
    Atomics.store(this.control, SEQ, STOP);
    Atomics.notify(this.control, SEQ);
    await this.helper.terminate();
  }
}
