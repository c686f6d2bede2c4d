// Every enrolled template in one contiguous Float32Array (dim floats per row), with the identity
// id and template id of each row. Adds append, removes swap the last row into the hole, so the
// index never rebuilds. Search is exact: an int8 first pass (int8Rows.ts) bounds every row's cosine
// from above and below, and only rows whose upper bound can reach the k-th identity are re-scored
// in float64 from the float32 rows.
//
// Why the re-rank cannot miss (x a unit row, p the unit probe, e_x and e_p what rounding lost):
//   |x.p - approx| <= |e_p| + |e_x| + |e_x||e_p| =: B(row)          (Cauchy-Schwarz, |x| = |p| = 1)
// Each identity's exact best is >= max over its rows of (approx - B), so the k-th largest of those
// lower bounds, tau, is <= the true k-th identity score. Every row that is some top-k identity's
// best has approx + B >= its exact score >= tau, so it is among the rows re-scored.
import { Int8Rows } from './int8Rows';
import { MatchInputError, toUnit } from './probe';

export interface Candidate {
  identityId: string;
  /** The identity's template that scored best. */
  templateId: string;
  /** Cosine between the probe and that template. */
  score: number;
}

export interface TemplateIndexOptions {
  /** Template length (512 for the shipped model). */
  dim?: number;
  initialCapacity?: number;
  /** 'exact' scores every row in float64 (the plain loop); 'int8' adds the WebAssembly first pass. */
  firstPass?: 'int8' | 'exact';
  /** Put the int8 rows in shared memory so threads can split the first pass (Node or isolated pages). */
  shared?: boolean;
  /** Largest row count the shared memory must hold. */
  maxRows?: number;
}

/** Below this many rows the plain loop takes microseconds; the first pass would only add bookkeeping. */
const exactBelowRows = 256;
/** Covers float64 rounding in the approximate score and float32 storage of the bounds. */
const boundSlack = 1e-6;

interface Owner {
  slot: number;
  rows: number[];
}

export class TemplateIndex {
  readonly dim: number;
  /** Why the int8 first pass is off, when it was asked for and could not run. */
  readonly firstPassUnavailable: string | undefined;
  /** Rows re-scored exactly by the last search (the candidate set the bounds let through). */
  lastRescored = 0;
  private readonly quantised: Int8Rows | undefined;
  private vectors: Float32Array;
  private capacity: number;
  private count = 0;
  private readonly ownerOfRow: string[] = [];
  private readonly templateOfRow: string[] = [];
  private slotOfRow: Int32Array;
  private readonly rowOfTemplate = new Map<string, number>();
  private readonly owners = new Map<string, Owner>();
  private readonly ownerOfSlot: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private slotBest = new Float64Array(0);
  private slotRow = new Int32Array(0);
  private scorer: ((rows: Int8Rows, rowCount: number) => void) | undefined;
  /** Rows that passed the first pass, and their upper bounds (reused between searches). */
  private keptRows = new Int32Array(1024);
  private keptUpper = new Float64Array(1024);

  constructor(options: TemplateIndexOptions = {}) {
    this.dim = options.dim ?? 512;
    if (!Number.isInteger(this.dim) || this.dim <= 0) throw new MatchInputError(`a template index needs a positive dim, not ${this.dim}`);
    this.capacity = Math.max(1, options.initialCapacity ?? 1024);
    this.vectors = new Float32Array(this.capacity * this.dim);
    this.slotOfRow = new Int32Array(this.capacity);
    if ((options.firstPass ?? 'int8') === 'int8') {
      const rows = Int8Rows.create(this.dim, { shared: options.shared ?? false, maxRows: options.maxRows });
      if (typeof rows === 'string') {
        this.firstPassUnavailable = rows;
      } else {
        this.quantised = rows;
        rows.ensureCapacity(this.capacity);
      }
    }
  }

  /** Number of template rows. */
  get size(): number {
    return this.count;
  }

  get ownerCount(): number {
    return this.owners.size;
  }

  /** Bytes held in typed arrays and WebAssembly memory (the float rows, the int8 copy, bookkeeping). */
  get memoryBytes(): number {
    return this.vectors.byteLength + this.slotOfRow.byteLength + this.slotBest.byteLength + this.slotRow.byteLength
      + (this.quantised?.memoryBytes ?? 0);
  }

  /** 'int8-wasm-simd' when the first pass runs, 'exact' when every row is scored in float64. */
  get firstPass(): 'int8-wasm-simd' | 'exact' {
    return this.quantised ? 'int8-wasm-simd' : 'exact';
  }

  /** The int8 rows, for a host that splits the first pass across threads (see electron/services/matcher). */
  get int8Rows(): Int8Rows | undefined {
    return this.quantised;
  }

  /** Replaces the single-threaded first pass; it must fill `rows.dots` for rows [0, rowCount). */
  useScorer(scorer: ((rows: Int8Rows, rowCount: number) => void) | undefined): void {
    this.scorer = scorer;
  }

  has(templateId: string): boolean {
    return this.rowOfTemplate.has(templateId);
  }

  hasOwner(identityId: string): boolean {
    return this.owners.has(identityId);
  }

  identityIds(): string[] {
    return [...this.owners.keys()];
  }

  templateIdsOf(identityId: string): string[] {
    return (this.owners.get(identityId)?.rows ?? []).map((row) => this.templateOfRow[row]!);
  }

  /** A copy of a stored (unit, float32) template. */
  templateVector(templateId: string): Float32Array | undefined {
    const row = this.rowOfTemplate.get(templateId);
    return row === undefined ? undefined : this.vectors.slice(row * this.dim, row * this.dim + this.dim);
  }

  /** Adds one template; it is stored at unit length. */
  add(identityId: string, templateId: string, vector: ArrayLike<number>): void {
    if (this.rowOfTemplate.has(templateId)) throw new MatchInputError(`template ${templateId} is already in the index`);
    const checked = toUnit(vector, this.dim, `template ${templateId}`);
    if (!checked.ok) throw new MatchInputError(checked.error);
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    const row = this.count++;
    const target = this.vectors.subarray(row * this.dim, row * this.dim + this.dim);
    target.set(checked.unit);
    this.quantised?.write(row, target);
    let owner = this.owners.get(identityId);
    if (!owner) {
      owner = { slot: this.freeSlots.pop() ?? this.ownerOfSlot.length, rows: [] };
      this.ownerOfSlot[owner.slot] = identityId;
      this.owners.set(identityId, owner);
      if (owner.slot >= this.slotBest.length) this.growSlots();
    }
    owner.rows.push(row);
    this.ownerOfRow[row] = identityId;
    this.templateOfRow[row] = templateId;
    this.slotOfRow[row] = owner.slot;
    this.rowOfTemplate.set(templateId, row);
  }

  /** Removes one template; false when it was not there. */
  removeTemplate(templateId: string): boolean {
    const row = this.rowOfTemplate.get(templateId);
    if (row === undefined) return false;
    const identityId = this.ownerOfRow[row]!;
    const owner = this.owners.get(identityId)!;
    owner.rows.splice(owner.rows.indexOf(row), 1);
    if (owner.rows.length === 0) {
      this.owners.delete(identityId);
      this.ownerOfSlot[owner.slot] = undefined;
      this.freeSlots.push(owner.slot);
    }
    this.rowOfTemplate.delete(templateId);
    const last = this.count - 1;
    if (row !== last) this.moveRow(last, row);
    this.ownerOfRow.length = last;
    this.templateOfRow.length = last;
    this.count = last;
    return true;
  }

  /** Removes every template of an identity; returns how many rows went. */
  removeOwner(identityId: string): number {
    const templates = this.templateIdsOf(identityId);
    for (const templateId of templates) this.removeTemplate(templateId);
    return templates.length;
  }

  /** Top-k identities by their best template's cosine, best first (ties by owner id). */
  search(probe: ArrayLike<number>, k: number): Candidate[] {
    const unit = this.unitProbe(probe);
    this.checkK(k);
    if (!this.quantised || this.count < exactBelowRows) return this.searchExactUnit(unit, k);
    return this.searchBounded(unit, k, this.quantised);
  }

  /** The same answer as `search` from the plain float64 loop over every row (the reference path). */
  searchExact(probe: ArrayLike<number>, k: number): Candidate[] {
    const unit = this.unitProbe(probe);
    this.checkK(k);
    return this.searchExactUnit(unit, k);
  }

  /** 1:1: the identity's best template cosine, or undefined when it has no template. */
  bestScore(identityId: string, probe: ArrayLike<number>): Candidate | undefined {
    return this.bestOf(identityId, this.unitProbe(probe));
  }

  /** Every identity's best cosine (used for agents, one row per identity), in no particular order. */
  scoreEveryOwner(probe: ArrayLike<number>): Candidate[] {
    const unit = this.unitProbe(probe);
    const all: Candidate[] = [];
    for (const identityId of this.owners.keys()) all.push(this.bestOf(identityId, unit)!);
    return all;
  }

  private bestOf(identityId: string, unit: Float64Array): Candidate | undefined {
    const owner = this.owners.get(identityId);
    if (!owner) return undefined;
    let best: Candidate | undefined;
    for (const row of owner.rows) {
      const score = this.exactScore(row, unit);
      if (!best || score > best.score) best = { identityId, templateId: this.templateOfRow[row]!, score };
    }
    return best;
  }

  private unitProbe(probe: ArrayLike<number>): Float64Array {
    const checked = toUnit(probe, this.dim);
    if (!checked.ok) throw new MatchInputError(checked.error);
    return checked.unit;
  }

  private checkK(k: number): void {
    if (!Number.isInteger(k) || k < 1) throw new MatchInputError(`k must be a positive whole number, not ${k}`);
  }

  private exactScore(row: number, unit: Float64Array): number {
    const vectors = this.vectors;
    const base = row * this.dim;
    let sum = 0;
    for (let i = 0; i < this.dim; i++) sum += vectors[base + i]! * unit[i]!;
    return sum;
  }

  private searchExactUnit(unit: Float64Array, k: number): Candidate[] {
    const best = this.slotBest;
    const bestRow = this.slotRow;
    for (let row = 0; row < this.count; row++) {
      const score = this.exactScore(row, unit);
      const slot = this.slotOfRow[row]!;
      if (score > best[slot]!) {
        best[slot] = score;
        bestRow[slot] = row;
      }
    }
    this.lastRescored = this.count;
    return this.topOwners([...this.owners.values()].map((owner) => owner.slot), k);
  }

  private searchBounded(unit: Float64Array, k: number, quantised: Int8Rows): Candidate[] {
    const probe = quantised.setProbe(unit);
    if (this.scorer) this.scorer(quantised, this.count);
    else quantised.score(0, this.count);
    const { dots, scales, residuals } = quantised;
    const probeScale = probe.scale;
    const residualFactor = 1 + probe.errorNorm;
    const slack = probe.errorNorm + boundSlack;
    const slotOfRow = this.slotOfRow;

    // One pass. tau is the k-th largest lower bound over distinct identities among the rows seen
    // so far; it only rises, so keeping every row whose upper bound reaches the running tau keeps
    // a superset of the rows that reach the final one. With k or fewer identities, all are top-k.
    const floor = new RunningFloor(Math.min(k, this.owners.size));
    let kept = 0;
    let keptRows = this.keptRows;
    let keptUpper = this.keptUpper;
    for (let row = 0; row < this.count; row++) {
      const approx = dots[row]! * scales[row]! * probeScale;
      const bound = residuals[row]! * residualFactor + slack;
      const upper = approx + bound;
      if (upper < floor.tau) continue;
      if (kept === keptRows.length) [keptRows, keptUpper] = this.growKept(kept * 2);
      keptRows[kept] = row;
      keptUpper[kept++] = upper;
      const lower = approx - bound;
      if (lower > floor.tau) floor.offer(slotOfRow[row]!, lower);
    }

    const tau = floor.tau;
    const best = this.slotBest;
    const bestRow = this.slotRow;
    const touched: number[] = [];
    let rescored = 0;
    for (let i = 0; i < kept; i++) {
      if (keptUpper[i]! < tau) continue;
      const row = keptRows[i]!;
      rescored++;
      const score = this.exactScore(row, unit);
      const slot = slotOfRow[row]!;
      if (best[slot] === -Infinity) touched.push(slot);
      if (score > best[slot]!) {
        best[slot] = score;
        bestRow[slot] = row;
      }
    }
    this.lastRescored = rescored;
    return this.topOwners(touched, k);
  }

  private growKept(size: number): [Int32Array<ArrayBuffer>, Float64Array<ArrayBuffer>] {
    const rows = new Int32Array(size);
    rows.set(this.keptRows);
    const upper = new Float64Array(size);
    upper.set(this.keptUpper);
    this.keptRows = rows;
    this.keptUpper = upper;
    return [rows, upper];
  }

  /**
   * The k best of the given slots by slotBest (ties by owner id), from slotRow. Resets those slots
   * to -Infinity, the state every search starts from, so no search pays for clearing all slots.
   */
  private topOwners(slots: readonly number[], k: number): Candidate[] {
    const top: Candidate[] = [];
    const better = (a: Candidate, b: Candidate) => a.score > b.score || (a.score === b.score && a.identityId < b.identityId);
    for (const slot of slots) {
      const score = this.slotBest[slot]!;
      this.slotBest[slot] = -Infinity;
      if (score === -Infinity) continue;
      const identityId = this.ownerOfSlot[slot]!;
      if (top.length === k && !better({ identityId, templateId: '', score }, top[k - 1]!)) continue;
      const candidate = { identityId, templateId: this.templateOfRow[this.slotRow[slot]!]!, score };
      let at = top.length;
      while (at > 0 && better(candidate, top[at - 1]!)) at--;
      top.splice(at, 0, candidate);
      if (top.length > k) top.pop();
    }
    return top;
  }

  private moveRow(from: number, to: number): void {
    const dim = this.dim;
    this.vectors.copyWithin(to * dim, from * dim, from * dim + dim);
    this.quantised?.move(from, to);
    const identityId = this.ownerOfRow[from]!;
    const templateId = this.templateOfRow[from]!;
    this.ownerOfRow[to] = identityId;
    this.templateOfRow[to] = templateId;
    this.slotOfRow[to] = this.slotOfRow[from]!;
    this.rowOfTemplate.set(templateId, to);
    const rows = this.owners.get(identityId)!.rows;
    rows[rows.indexOf(from)] = to;
  }

  private grow(capacity: number): void {
    const vectors = new Float32Array(capacity * this.dim);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const slotOfRow = new Int32Array(capacity);
    slotOfRow.set(this.slotOfRow);
    this.slotOfRow = slotOfRow;
    this.capacity = capacity;
    this.quantised?.ensureCapacity(capacity);
  }

  private growSlots(): void {
    const size = Math.max(64, this.slotBest.length * 2);
    this.slotBest = new Float64Array(size).fill(-Infinity);
    const slotRow = new Int32Array(size);
    slotRow.set(this.slotRow);
    this.slotRow = slotRow;
  }
}

/** The k largest lower bounds held by distinct identities; tau is the smallest of them once there are k. */
class RunningFloor {
  tau = -Infinity;
  private readonly slots: number[] = [];
  private readonly values: number[] = [];
  private readonly k: number;

  constructor(k: number) {
    this.k = k;
  }

  /** Called only with value > tau. */
  offer(slot: number, value: number): void {
    const { slots, values } = this;
    const at = slots.indexOf(slot);
    if (at >= 0) {
      if (value <= values[at]!) return;
      slots.splice(at, 1);
      values.splice(at, 1);
    } else if (slots.length === this.k) {
      slots.pop();
      values.pop();
    }
    let insert = values.length;
    while (insert > 0 && value > values[insert - 1]!) insert--;
    slots.splice(insert, 0, slot);
    values.splice(insert, 0, value);
    if (slots.length === this.k) this.tau = values[this.k - 1]!;
  }
}
