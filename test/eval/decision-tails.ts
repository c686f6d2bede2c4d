// Measurements behind the per-decision levels (core/matching/levels.ts), shared by `npm run
// calibrate` (which stores them) and eval:decisions: impostor scores of a fused probe of p photos
// against single templates of other people, and genuine attempts (p photos against the best of a
// person's first k photos). Every person contributes at most MAX_SETS probe sets, so the people
// with hundreds of photos do not make the tails theirs.
import type { GenuineTable, ImpostorTail } from '../../core/matching/calibrationFile';
import { fitTail } from '../../core/matching/levels';

export const DIM = 512;
export const IMPOSTOR_PROBES = [2, 3, 5, 10] as const;
export const GENUINE_PROBES = [1, 3, 10] as const;
export const GENUINE_TEMPLATES = [1, 2, 3] as const;
export const MAX_SETS = 4;
const GRID = { from: 0, step: 0.02, points: 46 };

/** Templates of one person, in LFW's image order. */
export type Person = Float32Array[];

export function fuse(templates: readonly Float32Array[]): Float32Array {
  const sum = new Float64Array(DIM);
  for (const t of templates) for (let d = 0; d < DIM; d++) sum[d]! += t[d] as number;
  let norm = 0;
  for (let d = 0; d < DIM; d++) norm += sum[d]! * sum[d]!;
  const out = new Float32Array(DIM);
  const inv = 1 / Math.sqrt(norm);
  for (let d = 0; d < DIM; d++) out[d] = sum[d]! * inv;
  return out;
}

export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let d = 0; d < DIM; d += 4) {
    s0 += (a[ao + d] as number) * (b[bo + d] as number);
    s1 += (a[ao + d + 1] as number) * (b[bo + d + 1] as number);
    s2 += (a[ao + d + 2] as number) * (b[bo + d + 2] as number);
    s3 += (a[ao + d + 3] as number) * (b[bo + d + 3] as number);
  }
  return s0 + s1 + s2 + s3;
}

/** Disjoint sets of p photos of one person, from its photo `skip` on, at most MAX_SETS. */
export function probeSets(person: Person, p: number, skip = 0, maxSets = MAX_SETS): Float32Array[][] {
  const rest = person.slice(skip);
  const sets: Float32Array[][] = [];
  for (let s = 0; s < maxSets && (s + 1) * p <= rest.length; s++) sets.push(rest.slice(s * p, s * p + p));
  return sets;
}

/**
 * Impostor tail of a fused probe of p photos against every photo of every other person. Scores
 * below `keepAbove` are counted but not kept (they cannot reach the fitted tail).
 */
export function fusedImpostorTail(people: readonly Person[], p: number, keepAbove = 0.1, onProgress?: (done: number, total: number) => void): ImpostorTail {
  const owner: number[] = [];
  const rows: Float32Array[] = [];
  people.forEach((person, id) => person.forEach((t) => { owner.push(id); rows.push(t); }));
  const matrix = new Float32Array(rows.length * DIM);
  rows.forEach((t, i) => matrix.set(t, i * DIM));
  let kept: number[] = [];
  let total = 0;
  people.forEach((person, id) => {
    for (const set of probeSets(person, p)) {
      const probe = fuse(set);
      for (let j = 0; j < rows.length; j++) {
        if (owner[j] === id) continue;
        total++;
        const s = dot(probe, 0, matrix, j * DIM);
        if (s > keepAbove) kept.push(s);
      }
    }
    onProgress?.(id + 1, people.length);
  });
  const top = Float64Array.from(kept).sort().reverse();
  kept = [];
  return fitTail(top, total, p);
}

/** FNMR grid of genuine attempts: a fused probe of p photos against the best of the person's first k photos. */
export function genuineTable(people: readonly Person[], p: number, k: number): GenuineTable {
  const scores: number[] = [];
  let contributing = 0;
  for (const person of people) {
    if (person.length < k + p) continue;
    const templates = person.slice(0, k);
    const sets = probeSets(person, p, k);
    if (sets.length > 0) contributing++;
    for (const set of sets) {
      const probe = fuse(set);
      let best = -1;
      for (const t of templates) best = Math.max(best, dot(probe, 0, t, 0));
      scores.push(best);
    }
  }
  const below = Array.from({ length: GRID.points }, (_, i) => {
    const t = GRID.from + i * GRID.step;
    return Number((scores.filter((s) => s < t).length / Math.max(1, scores.length)).toFixed(5));
  });
  return { probes: p, templates: k, attempts: scores.length, people: contributing, from: GRID.from, step: GRID.step, below };
}

/** Rounds a tail's numbers so the calibration file stays a few KB. */
export function compactTail(t: ImpostorTail): ImpostorTail {
  const r = (x: number, digits: number) => Number(x.toPrecision(digits));
  return {
    probes: t.probes,
    count: t.count,
    scores: t.scores.map((s) => r(s, 6)),
    rates: t.rates.map((x) => r(x, 6)),
    gpd: { u: r(t.gpd.u, 6), pu: r(t.gpd.pu, 6), sigma: r(t.gpd.sigma, 6), xi: r(t.gpd.xi, 6), exceedances: t.gpd.exceedances },
  };
}
