// The training products on two threads: gemm.wat's kernel split by rows of C between the calling
// thread and one helper (TwoThreadKernel, which the matcher's first pass uses too). The helper may
// still be writing its last chunk while the loss and optimizer run; the next product waits for it.
import type { MatMul } from '../matmul';
import { TwoThreadKernel } from './twoThreadKernel.node.js';
import { WasmMatMul } from './wasmMatMul';

/** Products smaller than this many rows of C stay on one thread (the hand-off costs more). */
const MIN_SPLIT_ROWS = 64;

export class TwoThreadMatMul implements MatMul {
  readonly name = 'wasm-simd x2 threads';

  private constructor(private readonly kernel: WasmMatMul, private readonly threads: TwoThreadKernel) {}

  /** The two-thread kernel, or an Error saying why it cannot run here. */
  static create(): TwoThreadMatMul | Error {
    const kernel = WasmMatMul.create();
    if (kernel instanceof Error) return kernel;
    const { module, memory } = kernel.shared;
    const threads = TwoThreadKernel.start({ module, memory, exportName: 'gemmNT' }, { helperName: 'the second training thread', lateWrites: 'allowed' });
    return threads instanceof Error ? threads : new TwoThreadMatMul(kernel, threads);
  }

  allocate(lengths: readonly number[]): Float32Array[] {
    return this.kernel.allocate(lengths);
  }

  nt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, ldc = n): void {
    this.kernel.check(a, b, c, k);
    const { blockRows } = this.kernel.shared;
    // gemmNT(a, b, c, m, n, k, lda, ldb, ldc, blockRows); rows of C (and of A) split between the threads.
    const split = {
      rows: m,
      // About 16 chunks: enough to balance two unevenly loaded cores, few enough that each stays long.
      chunkRows: Math.max(8, Math.ceil(m / 16 / 2) * 2),
      args: [a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, k, k, ldc, blockRows],
      perRow: [k * 4, 0, ldc * 4, 0, 0, 0, 0, 0, 0, 0],
      countAt: 3,
    };
    if (m < MIN_SPLIT_ROWS) this.threads.runHere(split);
    else this.threads.run(split);
  }

  /** Stops the helper thread. */
  async close(): Promise<void> {
    await this.threads.close();
  }
}
