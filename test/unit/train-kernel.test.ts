// The WebAssembly SIMD gemm against plain JS, on sizes that exercise every tail of its tiling, and
// the shipped bytes against a fresh assembly of gemm.wat; the two-thread split against one thread.
import { describe, expect, it } from 'vitest';
import { assembleGemm } from '../../native-train/kernel/assemble.node';
import { GEMM_WASM } from '../../native-train/kernel/gemmBytes';
import { TwoThreadMatMul } from '../../native-train/kernel/twoThreads.node.js';
import { WasmMatMul } from '../../native-train/kernel/wasmMatMul';
import { jsMatMul } from '../../native-train/matmul';
import { seededRandom } from '../../native-train/prng';

describe('WebAssembly SIMD gemm', () => {
  it('gemmBytes.ts is gemm.wat as assembled now', async () => {
    expect(Array.from(await assembleGemm())).toEqual(Array.from(GEMM_WASM));
  });

  it.each([[1, 1, 4], [2, 4, 8], [7, 13, 20], [33, 300, 512], [64, 259, 36]])('C = A B^T for m=%i n=%i k=%i matches JS', (m, n, k) => {
    const wasm = WasmMatMul.create();
    if (wasm instanceof Error) throw wasm;
    const random = seededRandom(m * 1000 + n);
    const ldc = n + 3; // a row stride wider than n: the spare columns must stay untouched
    const [a, b, c] = wasm.allocate([m * k, n * k, m * ldc]) as [Float32Array, Float32Array, Float32Array];
    a.forEach((_, i) => { a[i] = random() - 0.5; });
    b.forEach((_, i) => { b[i] = random() - 0.5; });
    c.fill(7);
    const expected = new Float32Array(m * ldc).fill(7);
    jsMatMul.nt(a, b, expected, m, n, k, ldc);
    wasm.nt(a, b, c, m, n, k, ldc);
    for (let i = 0; i < expected.length; i++) expect(c[i]).toBeCloseTo(expected[i] as number, 4);
  });

  it('refuses matrices it did not allocate and inner sizes that are not a multiple of 4', () => {
    const wasm = WasmMatMul.create();
    if (wasm instanceof Error) throw wasm;
    const [a, b, c] = wasm.allocate([6, 6, 4]) as [Float32Array, Float32Array, Float32Array];
    expect(() => wasm.nt(a, b, c, 2, 2, 3)).toThrow(/multiple of 4/);
    expect(() => wasm.nt(new Float32Array(8), b, c, 2, 2, 4)).toThrow(/allocate/);
  });

  it('on two threads gives exactly the one-thread product, many times over, and keeps the spare columns', async () => {
    const two = TwoThreadMatMul.create();
    if (two instanceof Error) throw two;
    try {
      const one = WasmMatMul.create() as WasmMatMul;
      const random = seededRandom(77);
      for (const [m, n, k] of [[300, 257, 36], [1000, 64, 512], [65, 3, 8], [10, 10, 4]] as const) {
        const ldc = n + 1;
        const [a, b, c] = two.allocate([m * k, n * k, m * ldc]) as [Float32Array, Float32Array, Float32Array];
        const [a1, b1, c1] = one.allocate([m * k, n * k, m * ldc]) as [Float32Array, Float32Array, Float32Array];
        a.forEach((_, i) => { a[i] = random() - 0.5; });
        b.forEach((_, i) => { b[i] = random() - 0.5; });
        a1.set(a); b1.set(b);
        one.nt(a1, b1, c1.fill(7), m, n, k, ldc);
        // Repeated calls: a helper that is late for one product must never write into the next.
        for (let round = 0; round < 20; round++) {
          two.nt(a, b, c.fill(round), m, n, k, ldc);
          for (let i = 0; i < c.length; i++) if (c[i] !== (i % ldc === n ? round : c1[i])) throw new Error(`m=${m} n=${n} round ${round}: element ${i} is ${c[i]}, expected ${c1[i]}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5)); // lets the helper start between shapes
      }
    } finally {
      await two.close();
    }
  });
});
