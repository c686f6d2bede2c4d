// The heavy products of training, C = A * B^T over row-major Float32 matrices (cosines F W^T and
// the agent gradient G^T F with both operands kept transposed). Two implementations: plain JS
// (always there, 1-2 GFLOP/s) and our WebAssembly SIMD kernel (kernel/, ~15-18 GFLOP/s on one core).

export interface MatMul {
  readonly name: string;
  /**
   * All of a run's matrices, allocated at once: the WebAssembly backend keeps them in its own memory
   * and cannot move them later. Lengths are in floats. Calling again reuses the same space.
   */
  allocate(lengths: readonly number[]): Float32Array[];
  /** c[i*ldc + j] = sum_p a[i*k + p] * b[j*k + p] for i < m, j < n. */
  nt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, ldc?: number): void;
}

export const jsMatMul: MatMul = {
  name: 'js',
  allocate: (lengths) => lengths.map((n) => new Float32Array(n)),
  nt(a, b, c, m, n, k, ldc = n) {
    for (let i = 0; i < m; i++) {
      const ao = i * k;
      for (let j = 0; j < n; j++) {
        const bo = j * k;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let p = 0;
        for (; p + 3 < k; p += 4) {
          s0 += (a[ao + p] as number) * (b[bo + p] as number);
          s1 += (a[ao + p + 1] as number) * (b[bo + p + 1] as number);
          s2 += (a[ao + p + 2] as number) * (b[bo + p + 2] as number);
          s3 += (a[ao + p + 3] as number) * (b[bo + p + 3] as number);
        }
        for (; p < k; p++) s0 += (a[ao + p] as number) * (b[bo + p] as number);
        c[i * ldc + j] = s0 + s1 + s2 + s3;
      }
    }
  },
};

/** Floating-point operations of one nt() call, for GFLOP/s figures. */
export function ntFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}
