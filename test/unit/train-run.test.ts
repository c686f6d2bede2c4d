// Training runs end to end on synthetic identities: Prop. 2, reproducibility, cancellation, caps, protocol.
import { describe, expect, it } from 'vitest';
import { WasmMatMul } from '../../native-train/kernel/wasmMatMul';
import { softmaxLowerBound } from '../../native-train/losses/normSoftmax';
import { jsMatMul, type MatMul } from '../../native-train/matmul';
import { normalizeRows } from '../../native-train/normalize';
import { gaussian, seededRandom } from '../../native-train/prng';
import { defaultProtocolSettings, meanAgents, runProtocol } from '../../native-train/protocol';
import { flatten, syntheticIdentities } from '../../native-train/synthetic';
import { defaultTrainSettings, train, type TrainSettings, type TrainingSet } from '../../native-train/trainer';

function wasm(): MatMul {
  const m = WasmMatMul.create();
  if (m instanceof Error) throw m;
  return m;
}

function randomAgents(classes: number, dim: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const a = Float32Array.from({ length: classes * dim }, () => gaussian(random));
  normalizeRows(a, classes, dim);
  return a;
}

function set(classes: number, perIdentity: number, dim: number, noise: number, seed: number, simplex = false): TrainingSet {
  const { identities } = syntheticIdentities({ identities: classes, perIdentity, dim, noise, seed, simplex });
  return { dim, classes, ...flatten(identities, dim), agents: randomAgents(classes, dim, seed + 1) };
}

const settings = (patch: Partial<TrainSettings> = {}): TrainSettings => ({ ...defaultTrainSettings, ...patch });

describe('normalised softmax and the Prop. 2 bound', () => {
  it('never goes below the bound with a learnt scale', () => {
    const data = set(10, 20, 16, 0.05, 3, true);
    let below = 0;
    let seen = 0;
    const out = train(data, settings({ loss: { ...defaultTrainSettings.loss, kind: 'softmax' }, epochs: 150, scale: { initial: 1, min: 0.01, learnable: true, learningRate: 5 } }), wasm(), {
      onProgress: (p) => { seen++; if (p.softmaxLoss < p.softmaxBound) below++; },
    });
    expect(out.status).toBe('done');
    expect(seen).toBe(150);
    expect(below).toBe(0);
    expect(out.scale).toBeGreaterThan(1); // the learnt scale grew, as the paper argues it must
  });

  it('on a separable set gets within 5% of the bound at a fixed scale', () => {
    const n = 10, s = 4;
    const data = set(n, 20, 16, 0.01, 5, true);
    let last = Number.NaN;
    const out = train(data, settings({
      loss: { ...defaultTrainSettings.loss, kind: 'softmax' }, epochs: 300,
      scale: { initial: s, min: 0.01, learnable: false, learningRate: 0 },
      optimizer: { ...defaultTrainSettings.optimizer, learningRate: 0.5 },
    }), wasm(), { onProgress: (p) => { last = p.softmaxLoss; } });
    const bound = softmaxLowerBound(n, s);
    expect(out.status).toBe('done');
    expect(last).toBeGreaterThanOrEqual(bound);
    expect(last).toBeLessThan(bound * 1.05);
  });
});

describe('a run', () => {
  const data = set(12, 8, 32, 0.2, 9);
  const mini = settings({ batchSize: 20, epochs: 3, seed: 7 });

  it('is reproducible with a seed, and another seed gives other agents (mini-batch)', () => {
    const a = train(data, mini, wasm());
    const b = train(data, mini, jsMatMul);
    const c = train(data, { ...mini, seed: 8 }, wasm());
    expect(a.steps).toBe(3 * Math.ceil(96 / 20));
    expect(Array.from(a.agents)).toEqual(Array.from(train(data, mini, wasm()).agents));
    // The JS and WASM products round differently, so only closely equal.
    for (let i = 0; i < a.agents.length; i++) expect(a.agents[i]).toBeCloseTo(b.agents[i] as number, 4);
    expect(Array.from(a.agents)).not.toEqual(Array.from(c.agents));
  });

  it('keeps every agent on the unit sphere, with SGD and with Adam', () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const out = train(data, { ...mini, optimizer: { ...mini.optimizer, kind, learningRate: 0.05 } }, wasm());
      for (let c = 0; c < data.classes; c++) {
        const row = out.agents.subarray(c * data.dim, (c + 1) * data.dim);
        expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      }
    }
  });

  it('stops at the step it is cancelled, and at its time cap', () => {
    let polls = 0;
    const cancelled = train(data, mini, wasm(), { shouldStop: () => ++polls > 4 });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.steps).toBe(4);
    expect(cancelled.message).toMatch(/cancelled at step 4/);
    let clock = 0;
    const timed = train(data, { ...mini, maxSeconds: 2.5 }, wasm(), { now: () => (clock += 1000) });
    expect(timed.status).toBe('time-limit');
    expect(timed.steps).toBeLessThan(3);
  });

  it('refuses to start over its memory cap, saying what to change', () => {
    const out = train(data, { ...mini, batchSize: 0, maxBytes: 1000 }, wasm());
    expect(out.status).toBe('memory-limit');
    expect(out.steps).toBe(0);
    expect(out.message).toMatch(/MiB.*batch size/);
  });
});

describe('the protocol', () => {
  it('accepts only when neither held-out figure gets worse, and says so', () => {
    // Overlapping identities, with 12 templates each: room for the agents to improve on the means.
    const { identities } = syntheticIdentities({ identities: 30, perIdentity: 12, dim: 64, noise: 0.17, seed: 11 });
    const out = runProtocol({ dim: 64, identities }, { ...defaultProtocolSettings, train: settings({ epochs: 30 }) }, wasm(), jsMatMul);
    expect(out.train.status).toBe('done');
    expect(out.heldOut).toBe(30 * 3);
    const before = out.before!, after = out.after!;
    expect(out.accepted).toBe(after.rank1 >= before.rank1 && after.fnir <= before.fnir);
    expect(out.reason).toMatch(out.accepted ? /^accepted/ : /^rejected, previous agents stay/);
  });

  it('rejects a run it cannot check (no identity has enough templates to hold some out)', () => {
    const { identities } = syntheticIdentities({ identities: 5, perIdentity: 3, dim: 16, noise: 0.1, seed: 2 });
    const out = runProtocol({ dim: 16, identities }, { ...defaultProtocolSettings, train: settings({ epochs: 2 }) }, wasm(), jsMatMul);
    expect(out.accepted).toBe(false);
    expect(out.reason).toMatch(/nothing can be held out/);
  });

  it('starts agents at the normalised mean template of each identity', () => {
    const t = [[Float32Array.of(1, 0, 0, 0), Float32Array.of(0, 1, 0, 0)], [Float32Array.of(0, 0, 2, 0)]];
    const a = meanAgents(t, 4);
    expect(a[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(a[1]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(a[6]).toBeCloseTo(1, 5);
  });
});
