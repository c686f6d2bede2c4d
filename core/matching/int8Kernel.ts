// The first-pass scoring kernel: int8 template rows against an int16 probe, in WebAssembly SIMD.
// The module's bytes are emitted here (no prebuilt binary, no build step) so that it runs the same
// in Node, in a worker and in the renderer, and so the loop can be unrolled for the model's dim.
//
// Equivalent text, for dim = 32 (the emitted body repeats the chunk for every 16 dims):
//   (func (export "dots") (param $probe i32) (param $rows i32) (param $count i32) (param $out i32)
//     (local $end i32) (local $a v128) (local $b v128) (local $v v128)
//     (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (i32.const 32))))
//     (block $done (loop $row
//       (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
//       (local.set $v (v128.load offset=0 (local.get $rows)))
//       (local.set $a (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load offset=0 (local.get $probe))))
//       (local.set $b (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $probe))))
//       (local.set $v (v128.load offset=16 (local.get $rows)))
//       (local.set $a (i32x4.add (local.get $a) (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s ...) (v128.load offset=32 ...))))
//       ...
//       (i32.store (local.get $out) (horizontal sum of $a + $b))
//       (local.set $rows (i32.add (local.get $rows) (i32.const 32)))
//       (local.set $out (i32.add (local.get $out) (i32.const 4)))
//       (br $row)))
//
// Products are int8 x int16 (|q| <= 127, |p| <= 32767); 512 of them sum to at most 2.13e9 < 2^31,
// so the int32 accumulator cannot overflow for dim <= 512.

/** The parts of the WebAssembly API used here (core sees no DOM or Node typings). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export const wasmPageBytes = 65536;
export const maxKernelDim = 512;

export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/** dots(probeOffset, rowsOffset, rowCount, outOffset): int32 dot of each int8 row with the int16 probe. */
export type DotsKernel = (probeOffset: number, rowsOffset: number, rowCount: number, outOffset: number) => void;

const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, void: 0x40,
  localGet: 0x20, localSet: 0x21, i32Const: 0x41, i32Store: 0x36,
  i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c,
} as const;
const simd = {
  load: 0x00, i32x4ExtractLane: 0x1b, i16x8ExtendLowI8x16S: 0x87, i16x8ExtendHighI8x16S: 0x88,
  i32x4Add: 0xae, i32x4DotI16x8S: 0xba,
} as const;
const i32 = 0x7f;
const v128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function simdOp(code: number, ...immediates: number[]): number[] {
  return [0xfd, ...uleb(code), ...immediates];
}

function v128Load(offset: number): number[] {
  return simdOp(simd.load, ...uleb(4), ...uleb(offset)); // align 2^4, then the static offset
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

/** The module's bytes for one dim (a multiple of 16, at most 512); memory imported as env.memory. */
export function int8KernelBytes(dim: number, memory: { shared: boolean; maximumPages: number }): Uint8Array {
  if (!Number.isInteger(dim) || dim <= 0 || dim % 16 !== 0 || dim > maxKernelDim) {
    throw new RangeError(`the int8 kernel needs a dim that is a multiple of 16 up to ${maxKernelDim}, got ${dim}`);
  }
  const [probe, rows, count, out, end, a, b, v] = [0, 1, 2, 3, 4, 5, 6, 7];
  const get = (local: number) => [op.localGet, local];
  const set = (local: number) => [op.localSet, local];
  const body: number[] = [
    ...get(rows), ...get(count), op.i32Const, ...sleb(dim), op.i32Mul, op.i32Add, ...set(end),
    op.block, op.void, op.loop, op.void,
    ...get(rows), ...get(end), op.i32GeU, op.brIf, 1,
  ];
  for (let chunk = 0; chunk < dim / 16; chunk++) {
    body.push(...get(rows), ...v128Load(chunk * 16), ...set(v));
    const halves: [number, number][] = [[simd.i16x8ExtendLowI8x16S, a], [simd.i16x8ExtendHighI8x16S, b]];
    halves.forEach(([extend, acc], half) => {
      if (chunk > 0) body.push(...get(acc));
      body.push(...get(v), ...simdOp(extend), ...get(probe), ...v128Load(chunk * 32 + half * 16), ...simdOp(simd.i32x4DotI16x8S));
      if (chunk > 0) body.push(...simdOp(simd.i32x4Add));
      body.push(...set(acc));
    });
  }
  body.push(
    ...get(out),
    ...get(a), ...get(b), ...simdOp(simd.i32x4Add), ...set(a),
    ...get(a), ...simdOp(simd.i32x4ExtractLane, 0), ...get(a), ...simdOp(simd.i32x4ExtractLane, 1), op.i32Add,
    ...get(a), ...simdOp(simd.i32x4ExtractLane, 2), op.i32Add, ...get(a), ...simdOp(simd.i32x4ExtractLane, 3), op.i32Add,
    op.i32Store, ...uleb(2), ...uleb(0),
    ...get(rows), op.i32Const, ...sleb(dim), op.i32Add, ...set(rows),
    ...get(out), op.i32Const, ...sleb(4), op.i32Add, ...set(out),
    op.br, 0, op.end, op.end, op.end,
  );
  const locals = vec([[1, i32], [3, v128]]);
  const code = [...locals, ...body];
  const limits = memory.shared ? [0x03, ...uleb(1), ...uleb(memory.maximumPages)] : [0x00, ...uleb(1)];

  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[i32], [i32], [i32], [i32]]), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('dots'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/** Instantiates the kernel over a memory, or says why it cannot run here (no WebAssembly SIMD). */
export function instantiateDots(dim: number, memory: WasmMemory, shape: { shared: boolean; maximumPages: number }): DotsKernel | string {
  const api = wasmApi();
  if (!api) return 'WebAssembly is not available in this environment';
  const bytes = int8KernelBytes(dim, shape);
  if (!api.validate(bytes)) return 'this WebAssembly engine has no SIMD support';
  const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
  const dots = instance.exports.dots;
  if (typeof dots !== 'function') return 'the int8 kernel module exports no dots function';
  return dots as DotsKernel;
}
