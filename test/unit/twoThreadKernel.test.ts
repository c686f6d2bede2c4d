// The one two-thread kernel runner (training and the matcher's first pass): a 'never' runner leaves
// no helper write behind once run() returns, and a call it cannot split is refused with a reason.
import { describe, expect, it } from 'vitest';
import { TwoThreadKernel } from '../../native-train/kernel/twoThreadKernel.node.js';
import { WasmMatMul } from '../../native-train/kernel/wasmMatMul';
import { seededRandom } from '../../native-train/prng';

const gemm = () => {
  const kernel = WasmMatMul.create();
  if (kernel instanceof Error) throw kernel;
  return kernel;
};

describe('TwoThreadKernel', () => {
  it("with lateWrites 'never', gives the one-thread product and the helper writes nothing after run() returns", async () => {
    const one = gemm();
    const { module, memory, blockRows } = one.shared;
    const threads = TwoThreadKernel.start({ module, memory, exportName: 'gemmNT' }, { helperName: 'the test helper', lateWrites: 'never' });
    if (threads instanceof Error) throw threads;
    try {
      const [m, n, k] = [600, 200, 64];
      const [a, b, c, want] = one.allocate([m * k, n * k, m * n, m * n]) as [Float32Array, Float32Array, Float32Array, Float32Array];
      const random = seededRandom(5);
      a.forEach((_, i) => { a[i] = random() - 0.5; });
      b.forEach((_, i) => { b[i] = random() - 0.5; });
      one.nt(a, b, want, m, n, k);
      const split = { rows: m, chunkRows: 8, args: [a.byteOffset, b.byteOffset, c.byteOffset, m, n, k, k, k, n, blockRows], perRow: [k * 4, 0, n * 4, 0, 0, 0, 0, 0, 0, 0], countAt: 3 };
      for (let round = 0; round < 30; round++) {
        threads.run(split);
        expect(c.findIndex((x, i) => x !== want[i])).toBe(-1);
        // Any helper write from here on would put the product back over the marker.
        c.fill(-1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(c.findIndex((x) => x !== -1)).toBe(-1);
      }
    } finally {
      await threads.close();
    }
  });

  it('refuses a module without the function, and a call with too many arguments or chunks', async () => {
    const { module, memory } = gemm().shared;
    const options = { helperName: 'the test helper', lateWrites: 'allowed' } as const;
    expect(TwoThreadKernel.start({ module, memory, exportName: 'nope' }, options)).toEqual(new Error('the kernel module exports no function nope'));
    const threads = TwoThreadKernel.start({ module, memory, exportName: 'gemmNT' }, options);
    if (threads instanceof Error) throw threads;
    try {
      expect(() => threads.run({ rows: 10, chunkRows: 2, args: new Array(13).fill(0), perRow: new Array(13).fill(0), countAt: 3 })).toThrow(/at most 12 arguments/);
      expect(() => threads.run({ rows: 70_000, chunkRows: 1, args: [0], perRow: [0], countAt: 0 })).toThrow(/more than 65535 chunks/);
    } finally {
      await threads.close();
    }
  });
});
