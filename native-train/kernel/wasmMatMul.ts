// Runs kernel/gemm.wat. Platform-neutral: WebAssembly is a JS global in Node, workers and pages
// alike, so it is reached through globalThis with the few types used here (core has no DOM types).
import { jsMatMul, type MatMul } from '../matmul';
import { GEMM_WASM } from './gemmBytes';

interface WasmMemory { buffer: ArrayBufferLike; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
type GemmNT = (a: number, b: number, c: number, m: number, n: number, k: number,
  lda: number, ldb: number, ldc: number, nb: number) => void;

const PAGE = 65536;
/** Rows of B per block: 256 rows x 512 floats = 512 KiB, inside L2; measured best of 16..1000. */
const BLOCK_ROWS = 256;
/** wasm32 addresses 4 GiB at most; stay well under. */
const MAX_BYTES = 3 * 1024 ** 3;
/** The module declares a shared memory of at most 4 GiB (65,536 pages). */
const MAX_PAGES = 65536;

/** What a second thread needs to run the same kernel (export gemmNT) on the same matrices (twoThreads.node.ts). */
export interface SharedKernel {
  module: object;
  memory: WasmMemory;
  blockRows: number;
}

export class WasmMatMul implements MatMul {
  readonly name = 'wasm-simd';
  /** Views handed out by allocate(). Shared memory never moves when it grows, so they stay valid; but
   * V8 swaps the SharedArrayBuffer object a memory reports (even when another memory grows), so views
   * are recognised by identity rather than by comparing buffers. */
  private readonly views = new WeakSet<Float32Array>();
  private constructor(private readonly memory: WasmMemory, private readonly gemm: GemmNT, readonly shared: SharedKernel) {}

  /** The kernel, or an Error saying why it cannot run here (no WebAssembly SIMD). */
  static create(): WasmMatMul | Error {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api) return new Error('this JavaScript engine has no WebAssembly: training falls back to plain JS');
    try {
      // Shared, so that a helper thread can work on the same matrices in place.
      const memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      const module = new api.Module(GEMM_WASM);
      const instance = new api.Instance(module, { env: { memory } });
      return new WasmMatMul(memory, instance.exports.gemmNT as GemmNT, { module, memory, blockRows: BLOCK_ROWS });
    } catch (e) {
      return new Error(`the WebAssembly SIMD kernel did not load (${e instanceof Error ? e.message : String(e)}): training falls back to plain JS`);
    }
  }

  allocate(lengths: readonly number[]): Float32Array[] {
    const offsets: number[] = [];
    let end = 0;
    for (const n of lengths) {
      offsets.push(end);
      end += Math.ceil((n * 4) / 16) * 16;
    }
    if (end > MAX_BYTES) throw new RangeError(`training needs ${(end / 1024 ** 2).toFixed(0)} MiB of matrices, more than the kernel can address`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    return lengths.map((n, i) => {
      const view = new Float32Array(this.memory.buffer, offsets[i], n);
      this.views.add(view);
      return view;
    });
  }

  nt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, ldc = n): void {
    this.check(a, b, c, k);
    this.gemm(a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, k, k, ldc, BLOCK_ROWS);
  }

  /** Throws unless the matrices live in this kernel's memory and k suits it. */
  check(a: Float32Array, b: Float32Array, c: Float32Array, k: number): void {
    if (!this.views.has(a) || !this.views.has(b) || !this.views.has(c)) {
      throw new Error('WasmMatMul.nt: matrices must be the views this kernel\'s allocate() returned');
    }
    if (k % 4 !== 0) throw new RangeError(`WasmMatMul.nt: inner size ${k} must be a multiple of 4 (pad it)`);
  }
}

/** The fastest product available here, and why not the kernel when it is not. */
export function bestMatMul(): { matmul: MatMul; warning: string | null } {
  const wasm = WasmMatMul.create();
  if (wasm instanceof Error) return { matmul: jsMatMul, warning: wasm.message };
  return { matmul: wasm, warning: null };
}
