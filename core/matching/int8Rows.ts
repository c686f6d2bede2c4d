// The compact copy of the template rows that the first pass reads: one int8 row per template with
// its own scale, in WebAssembly memory so the SIMD kernel can score them, kept in step with the
// float32 rows on every add and swap-remove. It also keeps, per row, the norm of what rounding lost,
// which is what lets the exact re-rank prove it has not missed a better row (see templateIndex.ts).
import { instantiateDots, wasmApi, wasmPageBytes, type DotsKernel, type WasmMemory } from './int8Kernel';

const probeScaleMax = 32767;
const rowScaleMax = 127;

export interface QuantisedProbe {
  /** Multiply a row's int32 dot by this and by the row's scale to get its approximate cosine. */
  scale: number;
  /** Euclidean norm of the probe's rounding error. */
  errorNorm: number;
}

export interface Int8RowsOptions {
  /** Back the rows with a SharedArrayBuffer so worker threads can score part of them. */
  shared?: boolean;
  /** Only for shared memory, which must declare its largest size up front. */
  maxRows?: number;
}

export class Int8Rows {
  readonly dim: number;
  readonly shared: boolean;
  readonly maximumPages: number;
  /** Per-row scale: the row's float values are about scale * int8 values. */
  scales: Float32Array;
  /** Per-row norm of (float row - scale * int8 row), at most about sqrt(dim) * scale / 2. */
  residuals: Float32Array;
  private readonly memory: WasmMemory;
  private readonly kernel: DotsKernel;
  private readonly probeBytes: number;
  private capacity = 0;
  private rowsView: Int8Array<ArrayBufferLike> = new Int8Array(0);
  private dotsView: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private probeView: Int16Array<ArrayBufferLike> = new Int16Array(0);

  private constructor(dim: number, shared: boolean, maximumPages: number, memory: WasmMemory, kernel: DotsKernel) {
    this.dim = dim;
    this.shared = shared;
    this.maximumPages = maximumPages;
    this.memory = memory;
    this.kernel = kernel;
    this.probeBytes = Math.ceil((dim * 2) / 16) * 16;
    this.scales = new Float32Array(0);
    this.residuals = new Float32Array(0);
  }

  /** The int8 copy, or why it cannot be made here (then the index scores every row exactly). */
  static create(dim: number, options: Int8RowsOptions = {}): Int8Rows | string {
    const api = wasmApi();
    if (!api) return 'WebAssembly is not available in this environment';
    if (dim % 16 !== 0 || dim > 512) return `the int8 first pass supports dims that are multiples of 16 up to 512, not ${dim}`;
    const shared = options.shared ?? false;
    const maximumPages = shared ? Math.min(65536, Math.ceil(((options.maxRows ?? 1 << 20) * (dim + 4) + 1024) / wasmPageBytes) + 1) : 0;
    let memory: WasmMemory;
    try {
      memory = new api.Memory(shared ? { initial: 1, maximum: maximumPages, shared: true } : { initial: 1 });
    } catch (error) {
      return `could not reserve WebAssembly memory for the int8 rows: ${String(error)}`;
    }
    const kernel = instantiateDots(dim, memory, { shared, maximumPages });
    if (typeof kernel === 'string') return kernel;
    return new Int8Rows(dim, shared, maximumPages, memory, kernel);
  }

  /** The memory and offsets another thread needs to run the same kernel over a range of rows. */
  get layout(): { memory: WasmMemory; probeOffset: number; rowsOffset: number; dotsOffset: number } {
    return { memory: this.memory, probeOffset: 0, rowsOffset: this.probeBytes, dotsOffset: this.dotsOffset };
  }

  get memoryBytes(): number {
    return this.memory.buffer.byteLength + this.scales.byteLength + this.residuals.byteLength;
  }

  /** int32 dots written by the last scoring, one per row. */
  get dots(): Int32Array<ArrayBufferLike> {
    return this.dotsView;
  }

  private get dotsOffset(): number {
    return this.probeBytes + this.capacity * this.dim;
  }

  /** Layout: [int16 probe][int8 rows x capacity][int32 dots x capacity]; rows never move on growth. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, this.capacity * 2, 64);
    const needed = this.probeBytes + capacity * (this.dim + 4);
    const have = this.memory.buffer.byteLength;
    if (needed > have) {
      const pages = Math.ceil((needed - have) / wasmPageBytes);
      if (this.shared && have / wasmPageBytes + pages > this.maximumPages) {
        throw new RangeError(`the shared int8 rows were sized for fewer rows than ${rows}; raise maxRows`);
      }
      this.memory.grow(pages);
    }
    this.capacity = capacity;
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    this.scales = scales;
    const residuals = new Float32Array(capacity);
    residuals.set(this.residuals);
    this.residuals = residuals;
    this.refreshViews();
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.probeView = new Int16Array(buffer, 0, this.dim);
    this.rowsView = new Int8Array(buffer, this.probeBytes, this.capacity * this.dim);
    this.dotsView = new Int32Array(buffer, this.dotsOffset, this.capacity);
  }

  /** Quantises one unit row (float32) into slot `row`. */
  write(row: number, vector: Float32Array): void {
    const dim = this.dim;
    let peak = 0;
    for (let i = 0; i < dim; i++) peak = Math.max(peak, Math.abs(vector[i]!));
    const scale = Math.fround(peak > 0 ? peak / rowScaleMax : 1);
    const base = row * dim;
    let lost = 0;
    for (let i = 0; i < dim; i++) {
      const value = vector[i]!;
      const q = Math.max(-rowScaleMax, Math.min(rowScaleMax, Math.round(value / scale)));
      this.rowsView[base + i] = q;
      const error = value - scale * q;
      lost += error * error;
    }
    this.scales[row] = scale;
    // Rounded up so the bound it feeds stays a bound after float32 storage.
    this.residuals[row] = Math.fround(Math.sqrt(lost) * (1 + 1e-6) + 1e-9);
  }

  /** Copies row `from` over row `to` (the swap-remove of the index). */
  move(from: number, to: number): void {
    const dim = this.dim;
    this.rowsView.copyWithin(to * dim, from * dim, from * dim + dim);
    this.scales[to] = this.scales[from]!;
    this.residuals[to] = this.residuals[from]!;
  }

  /** Writes the int16 probe into memory; `unit` must be a unit vector. */
  setProbe(unit: Float64Array): QuantisedProbe {
    let peak = 0;
    for (let i = 0; i < this.dim; i++) peak = Math.max(peak, Math.abs(unit[i]!));
    const scale = peak > 0 ? peak / probeScaleMax : 1;
    let lost = 0;
    for (let i = 0; i < this.dim; i++) {
      const q = Math.round(unit[i]! / scale);
      this.probeView[i] = q;
      const error = unit[i]! - scale * q;
      lost += error * error;
    }
    return { scale, errorNorm: Math.sqrt(lost) };
  }

  /** Runs the kernel over rows [start, end) into `dots`. */
  score(start: number, end: number): void {
    if (end <= start) return;
    const { probeOffset, rowsOffset, dotsOffset } = this.layout;
    this.kernel(probeOffset, rowsOffset + start * this.dim, end - start, dotsOffset + start * 4);
  }
}
