// Runs kernel/gemm.wat. Platform-neutral: WebAssembly is a JS global in Node, workers and pages
// alike, so it is reached through globalThis with the few types used here (core has no DOM types).
import { jsMatMul, type MatMul } from '../matmul';
import { GEMM_WASM } from './gemmBytes';

interface WasmMemory { buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
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

export class WasmMatMul implements MatMul {
  readonly name = 'wasm-simd';
  private constructor(private readonly memory: WasmMemory, private readonly gemm: GemmNT) {}

  /** The kernel, or an Error saying why it cannot run here (no WebAssembly SIMD). */
  static create(): WasmMatMul | Error {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api) return new Error('this JavaScript engine has no WebAssembly: training falls back to plain JS');
    try {
      const memory = new api.Memory({ initial: 1 });
      const instance = new api.Instance(new api.Module(GEMM_WASM), { env: { memory } });
      return new WasmMatMul(memory, instance.exports.gemmNT as GemmNT);
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
    return lengths.map((n, i) => new Float32Array(this.memory.buffer, offsets[i], n));
  }

  nt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, ldc = n): void {
    const buffer = this.memory.buffer;
    if (a.buffer !== buffer || b.buffer !== buffer || c.buffer !== buffer) {
      throw new Error('WasmMatMul.nt: matrices must come from allocate() (and no later allocate() may have grown the memory)');
    }
    if (k % 4 !== 0) throw new RangeError(`WasmMatMul.nt: inner size ${k} must be a multiple of 4 (pad it)`);
    this.gemm(a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, k, k, ldc, BLOCK_ROWS);
  }
}

/** The fastest product available here, and why not the kernel when it is not. */
export function bestMatMul(): { matmul: MatMul; warning: string | null } {
  const wasm = WasmMatMul.create();
  if (wasm instanceof Error) return { matmul: jsMatMul, warning: wasm.message };
  return { matmul: wasm, warning: null };
}
