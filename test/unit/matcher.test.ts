// The matcher against a float64 brute-force reference written here independently, on random and
// clustered (face-like) templates, through many incremental adds and removes.
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { int8KernelBytes } from '../../core/matching/int8Kernel';
import { Int8Rows } from '../../core/matching/int8Rows';
import { fuseProbes, MatchInputError } from '../../core/matching/probe';
import { TemplateIndex } from '../../core/matching/templateIndex';
import { agentSetFrom, identify } from '../../core/matching/identify';
import { decideOn } from '../support/loginDecision';
import { templateGenerator } from '../support/synthetic-templates';

const dim = 512;

const generator = (seed: number) => templateGenerator(seed, dim);

function normalise(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

/** The reference: float32 rows as stored, float64 dot, best per owner, sorted (score desc, owner asc). */
class Reference {
  readonly rows = new Map<string, { owner: string; vector: Float32Array }>();
  add(owner: string, id: string, v: Float64Array) {
    this.rows.set(id, { owner, vector: Float32Array.from(normalise(v)) });
  }
  top(probe: Float64Array, k: number) {
    const p = normalise(probe);
    const best = new Map<string, number>();
    for (const { owner, vector } of this.rows.values()) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += vector[i]! * p[i]!;
      if (!best.has(owner) || s > best.get(owner)!) best.set(owner, s);
    }
    return [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
  }
}

function expectSame(index: TemplateIndex, reference: Reference, probe: Float64Array, k = 5) {
  const got = index.search(probe, k);
  const want = reference.top(probe, k);
  expect(got.map((c) => c.identityId)).toEqual(want.map(([owner]) => owner));
  got.forEach((c, i) => expect(c.score).toBeCloseTo(want[i]![1], 12));
}

/** Identities as a random centre plus templates at cosine about 0.7 to it, as real faces cluster. */
function enrollClustered(index: TemplateIndex, reference: Reference, rng: ReturnType<typeof generator>, identities: number, perIdentity: number, prefix = 'c') {
  const centres: Float64Array[] = [];
  for (let i = 0; i < identities; i++) {
    const centre = rng.unit();
    centres.push(centre);
    for (let t = 0; t < perIdentity; t++) {
      const v = rng.near(centre, 0.7);
      index.add(`${prefix}${i}`, `${prefix}${i}-${t}`, v);
      reference.add(`${prefix}${i}`, `${prefix}${i}-${t}`, v);
    }
  }
  return centres;
}

describe('int8 WebAssembly kernel', () => {
  it('emits a module that wabt reads and validates as SIMD code', async () => {
    const wabt = await wabtInit();
    const module = wabt.readWasm(int8KernelBytes(dim, { shared: false, maximumPages: 0 }), { readDebugNames: false, simd: true });
    module.validate();
    expect(module.toText({})).toContain('i32x4.dot_i16x8_s');
    module.destroy();
  });

  it('bounds every row: |approximate - exact cosine| stays within the bound the re-rank relies on', () => {
    const rng = generator(7);
    const rows = Int8Rows.create(dim);
    if (typeof rows === 'string') throw new Error(rows);
    const n = 3000;
    rows.ensureCapacity(n);
    const stored: Float32Array[] = [];
    for (let r = 0; r < n; r++) {
      const v = Float32Array.from(r % 2 ? rng.unit() : rng.near(Float64Array.from({ length: dim }, (_, i) => (i === 3 ? 1 : 0)), 0.9));
      stored.push(v);
      rows.write(r, v);
    }
    const probe = rng.unit();
    const q = rows.setProbe(probe);
    rows.score(0, n);
    let worstRatio = 0;
    for (let r = 0; r < n; r++) {
      let exact = 0;
      for (let i = 0; i < dim; i++) exact += stored[r]![i]! * probe[i]!;
      const approx = rows.dots[r]! * rows.scales[r]! * q.scale;
      const bound = rows.residuals[r]! * (1 + q.errorNorm) + q.errorNorm;
      worstRatio = Math.max(worstRatio, Math.abs(approx - exact) / bound);
    }
    expect(worstRatio).toBeLessThanOrEqual(1);
    expect(worstRatio).toBeGreaterThan(0); // the bound is not vacuous: errors exist
  });
});

describe('TemplateIndex', () => {
  it('returns the float64 reference top-5 on random and clustered templates, through many adds and removes', () => {
    const rng = generator(42);
    const index = new TemplateIndex({ dim, initialCapacity: 16 });
    expect(index.firstPass).toBe('int8-wasm-simd');
    const reference = new Reference();
    const centres = enrollClustered(index, reference, rng, 150, 12);
    for (let i = 0; i < 3000; i++) {
      const v = rng.unit();
      index.add(`r${i % 1500}`, `r-${i}`, v);
      reference.add(`r${i % 1500}`, `r-${i}`, v);
    }
    const probes = () => [rng.unit(), rng.near(centres[Math.floor(rng.uniform() * centres.length)]!, 0.75), rng.near(centres[0]!, 0.9)];
    for (const p of probes()) expectSame(index, reference, p);

    let next = 0;
    for (let round = 0; round < 8; round++) {
      const ids = [...reference.rows.keys()];
      for (let j = 0; j < 300; j++) {
        const id = ids[Math.floor(rng.uniform() * ids.length)]!;
        if (!reference.rows.has(id)) continue;
        expect(index.removeTemplate(id)).toBe(true);
        reference.rows.delete(id);
      }
      for (let j = 0; j < 250; j++) {
        const owner = rng.uniform() < 0.5 ? `c${Math.floor(rng.uniform() * centres.length)}` : `n${next % 400}`;
        const v = owner.startsWith('c') ? rng.near(centres[Number(owner.slice(1))]!, 0.7) : rng.unit();
        index.add(owner, `a-${next}`, v);
        reference.add(owner, `a-${next++}`, v);
      }
      expect(index.size).toBe(reference.rows.size);
      for (const p of probes()) expectSame(index, reference, p);
    }
    expect(index.lastRescored).toBeLessThan(index.size); // the first pass did prune
  });

  it('keeps int8 rows, float rows and ids in step across capacity growth in shared memory', () => {
    const rng = generator(3);
    const index = new TemplateIndex({ dim, initialCapacity: 1, shared: true, maxRows: 10_000 });
    const reference = new Reference();
    enrollClustered(index, reference, rng, 400, 6);
    for (let i = 0; i < 5; i++) expectSame(index, reference, rng.unit(), 8);
  });

  it('removeOwner leaves no row of that identity', () => {
    const rng = generator(11);
    const index = new TemplateIndex({ dim });
    const reference = new Reference();
    const centres = enrollClustered(index, reference, rng, 300, 8);
    const before = index.size;
    expect(index.removeOwner('c5')).toBe(8);
    for (const id of [...reference.rows.keys()].filter((id) => id.startsWith('c5-'))) reference.rows.delete(id);
    expect(index.size).toBe(before - 8);
    expect(index.hasOwner('c5')).toBe(false);
    expect(index.templateIdsOf('c5')).toEqual([]);
    for (let t = 0; t < 8; t++) expect(index.has(`c5-${t}`)).toBe(false);
    expect(index.bestScore('c5', centres[5]!)).toBeUndefined();
    // A probe right at its centre now finds others, exactly as the reference does.
    const hits = index.search(centres[5]!, 20);
    expect(hits.map((h) => h.identityId)).not.toContain('c5');
    expectSame(index, reference, centres[5]!);
    expect(index.removeOwner('c5')).toBe(0);
  });

  it('rejects NaN, infinite, zero and wrong-length probes and templates', () => {
    const index = new TemplateIndex({ dim });
    const rng = generator(5);
    index.add('a', 'a1', rng.unit());
    const nan = rng.unit();
    nan[17] = NaN;
    expect(() => index.search(nan, 5)).toThrow(MatchInputError);
    expect(() => index.search(nan, 5)).toThrow(/non-finite/);
    expect(() => index.bestScore('a', new Float64Array(dim))).toThrow(/all zeros/);
    expect(() => index.search(new Float64Array(128).fill(1), 5)).toThrow(/128 values/);
    expect(() => index.add('b', 'b1', nan)).toThrow(MatchInputError);
    expect(() => index.add('a', 'a1', rng.unit())).toThrow(/already/);
    expect(index.size).toBe(1);
    const verdict = identify(index, nan, 5, 0.3);
    expect(verdict.ok).toBe(false);
    expect(fuseProbes([rng.unit(), nan], dim)).toMatchObject({ ok: false, error: expect.stringContaining('probe 2') });
  });
});

describe('identify, and the login decision on the same index', () => {
  const rng = generator(99);
  const index = new TemplateIndex({ dim });
  const reference = new Reference();
  const centres = enrollClustered(index, reference, rng, 500, 5);

  it('rejects an unknown face (open set) and recognises an enrolled one', () => {
    const stranger = identify(index, rng.unit(), 5, 0.4);
    expect(stranger).toMatchObject({ ok: true, recognised: false, rankedBy: 'templates' });
    if (!stranger.ok) throw new Error(stranger.error);
    expect(stranger.candidates).toHaveLength(5); // candidates are still listed, below the threshold
    expect(stranger.candidates[0]!.score).toBeLessThan(0.4);

    const known = identify(index, rng.near(centres[42]!, 0.8), 5, 0.4);
    expect(known).toMatchObject({ ok: true, recognised: true });
    if (!known.ok) throw new Error(known.error);
    expect(known.candidates[0]!.identityId).toBe('c42');
  });

  it('a login fuses its probes into their renormalised mean before the 1:1 comparison', () => {
    const template = index.templateVector('c7-0')!;
    // Each frame alone sits near cosine 0.55 to the template; their noise averages out.
    const frames = Array.from({ length: 6 }, () => rng.near(template, 0.55));
    const threshold = 0.7;
    for (const frame of frames) {
      const alone = decideOn(index, 'c7', [frame], threshold);
      expect(alone).toMatchObject({ accepted: false, reason: 'no-match', probes: 1 });
    }
    const fused = decideOn(index, 'c7', frames, threshold);
    expect(fused).toMatchObject({ accepted: true, reason: 'match', probes: 6 });
    // The frames travel as Float32 templates, so the mean is taken of those.
    const sent = frames.map((f) => Float32Array.from(f));
    const mean = normalise(Float64Array.from({ length: dim }, (_, i) => sent.reduce((s, f) => s + f[i]!, 0)));
    expect(fused.score!).toBeCloseTo(index.bestScore('c7', mean)!.score, 6);
    expect(decideOn(index, 'nobody', frames, threshold)).toMatchObject({ accepted: false, reason: 'no-templates' });
    expect(decideOn(index, 'c7', [], threshold)).toMatchObject({ accepted: false, probes: 0 });
  });

  it('ranks by agents with softmax probabilities at scale s, keeping the open-set cosine threshold', () => {
    const agents = new TemplateIndex({ dim, firstPass: 'exact' });
    centres.slice(0, 50).forEach((centre, i) => agents.add(`c${i}`, `agent-c${i}`, centre));
    const probe = rng.near(centres[3]!, 0.8);
    const result = identify(index, probe, 5, 0.5, { index: agents, scale: 16 });
    if (!result.ok) throw new Error(result.error);
    expect(result.rankedBy).toBe('agents');
    expect(result.recognised).toBe(true);
    expect(result.candidates[0]!.identityId).toBe('c3');
    const all = identify(index, probe, 50, 0.5, { index: agents, scale: 16 });
    if (!all.ok) throw new Error(all.error);
    const total = all.candidates.reduce((s, c) => s + c.probability!, 0);
    expect(total).toBeCloseTo(1, 9);
    const c0 = all.candidates[0]!;
    const c1 = all.candidates[1]!;
    expect(Math.log(c0.probability! / c1.probability!)).toBeCloseTo(16 * (c0.score - c1.score), 9);
    const stranger = identify(index, rng.unit(), 5, 0.5, { index: agents, scale: 16 });
    expect(stranger).toMatchObject({ ok: true, recognised: false });

    // The same agents as native-train hands them over: one Float32Array, row i for identity i.
    const rows = new Float32Array(50 * dim);
    centres.slice(0, 50).forEach((centre, i) => rows.set(centre, i * dim));
    const set = agentSetFrom(centres.slice(0, 50).map((_, i) => `c${i}`), rows, 16, dim);
    if ('ok' in set) throw new Error(set.error);
    const again = identify(index, probe, 50, 0.5, set);
    if (!again.ok) throw new Error(again.error);
    expect(again.candidates.map((c) => c.identityId)).toEqual(all.candidates.map((c) => c.identityId));
    expect(agentSetFrom(['a', 'b'], rows.subarray(0, dim), 16, dim)).toMatchObject({ ok: false });
  });
});
