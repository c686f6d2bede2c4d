// Speed of native-train (issue 5). Prints the kernel's rate, one epoch of 1,000 identities x 10
// templates x 512-d (GFLOP/s of the whole step: products, loss and optimizer) on one thread and on
// two (interleaved, so the ratio is measured under the same load), where the time of a step goes,
// the same step in plain JS for scale, and a whole fine-tuning run per the protocol on a 200-identity
// desk with peak memory. Ends with one JSON line.   npm run bench:train
import { cpus, loadavg } from 'node:os';
import { TwoThreadMatMul } from '../../native-train/kernel/twoThreads.node.js';
import { WasmMatMul } from '../../native-train/kernel/wasmMatMul';
import { jsMatMul, ntFlops, type MatMul } from '../../native-train/matmul';
import { normalizeRows } from '../../native-train/normalize';
import { defaultProtocolSettings, runProtocol } from '../../native-train/protocol';
import { flatten, syntheticIdentities } from '../../native-train/synthetic';
import { defaultTrainSettings, train } from '../../native-train/trainer';

const DIM = 512;
const loadAtStart = loadavg()[0] ?? 0;
const wasmOrError = WasmMatMul.create();
if (wasmOrError instanceof Error) throw wasmOrError;
const wasm: MatMul = wasmOrError;
const twoOrError = TwoThreadMatMul.create();
if (twoOrError instanceof Error) throw twoOrError;
const two = twoOrError;
let peakRss = process.memoryUsage().rss;
const sample = (): void => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };

// 1. The kernel alone, on the forward product's shape.
let kernelGflops = 0;
{
  const [a, b, c] = wasm.allocate([1000 * DIM, 1000 * DIM, 1000 * 1000]) as [Float32Array, Float32Array, Float32Array];
  a.fill(0.01); b.fill(0.02);
  wasm.nt(a, b, c, 1000, 1000, DIM);
  const t = performance.now();
  for (let r = 0; r < 5; r++) wasm.nt(a, b, c, 1000, 1000, DIM);
  const s = (performance.now() - t) / 1000 / 5;
  kernelGflops = ntFlops(1000, 1000, DIM) / s / 1e9;
  console.log(`kernel  C(1000x1000) = A(1000x512) B^T: ${(s * 1000).toFixed(1)} ms, ${kernelGflops.toFixed(1)} GFLOP/s (one thread)`);
}

// 2. One epoch, 1,000 identities x 10 templates, batches of 1,000 (10 steps), on one thread and on
// two, alternately; the best of each (the nearest to an unloaded machine) and their ratio.
const big = syntheticIdentities({ identities: 1000, perIdentity: 10, dim: DIM, noise: 0.05, seed: 1 });
const bigSet = { dim: DIM, classes: 1000, ...flatten(big.identities, DIM), agents: big.centres.slice() };
normalizeRows(bigSet.agents, 1000, DIM);
const epochSettings = { ...defaultTrainSettings, batchSize: 1000, epochs: 1, maxSeconds: 600 };
/** Adds up the time spent in the products, to tell them from the rest of a step. */
function timed(m: MatMul): MatMul & { seconds: number } {
  const t = {
    name: m.name, seconds: 0,
    allocate: (lengths: readonly number[]) => m.allocate(lengths),
    nt(...args: Parameters<MatMul['nt']>) { const s = performance.now(); m.nt(...args); t.seconds += (performance.now() - s) / 1000; },
  };
  return t;
}
const epochFlops = 10 * 2 * ntFlops(1000, 1000, DIM);
const one = timed(wasm);
const split = timed(two);
train(bigSet, epochSettings, one); // warm-up (JIT, memory growth)
train(bigSet, epochSettings, split);
const best = { one: Infinity, two: Infinity, oneProducts: 0, twoProducts: 0 };
for (let round = 0; round < 3; round++) {
  for (const [key, m] of [['one', one], ['two', split]] as const) {
    m.seconds = 0;
    sample();
    const e = train(bigSet, epochSettings, m, { onProgress: sample });
    if (e.steps !== 10) throw new Error(`an epoch ran ${e.steps} steps, not 10: ${e.message}`);
    if (e.seconds < best[key]) {
      best[key] = e.seconds;
      best[key === 'one' ? 'oneProducts' : 'twoProducts'] = m.seconds;
    }
  }
}
const epochGflops = epochFlops / best.two / 1e9;
const oneGflops = epochFlops / best.one / 1e9;
console.log(`epoch   1,000 ids x 10 templates, ${(epochFlops / 1e9).toFixed(1)} GFLOP, best of 3 (whole steps):`);
console.log(`        one thread  ${best.one.toFixed(2)} s -> ${oneGflops.toFixed(1)} GFLOP/s (products ${best.oneProducts.toFixed(2)} s, the rest ${(best.one - best.oneProducts).toFixed(2)} s)`);
console.log(`        two threads ${best.two.toFixed(2)} s -> ${epochGflops.toFixed(1)} GFLOP/s (products ${best.twoProducts.toFixed(2)} s, the rest ${(best.two - best.twoProducts).toFixed(2)} s); two/one ${(best.one / best.two).toFixed(2)}x`);
const epoch = { seconds: best.two };

// 3. The same step in plain JS, once, for scale.
const oneStep = { ...epochSettings, batchSize: 1000 };
const tJs = performance.now();
let jsSteps = 0;
train(bigSet, oneStep, jsMatMul, { shouldStop: () => jsSteps++ >= 1 });
const jsSeconds = (performance.now() - tJs) / 1000;
const jsGflops = 2 * ntFlops(1000, 1000, DIM) / jsSeconds / 1e9;
console.log(`js      one step of the same: ${jsSeconds.toFixed(2)} s -> ${jsGflops.toFixed(1)} GFLOP/s`);

// 4. A 200-identity desk, whole protocol run (split, train, measure before/after, decide).
const desk = syntheticIdentities({ identities: 200, perIdentity: 10, dim: DIM, noise: 0.045, seed: 2 });
const measure = WasmMatMul.create() as WasmMatMul;
const t0 = performance.now();
const run = runProtocol({ dim: DIM, identities: desk.identities }, defaultProtocolSettings, two, measure, { onProgress: sample });
const deskSeconds = (performance.now() - t0) / 1000;
sample();
console.log(`desk    200 ids x 10 templates, ${run.train.steps} steps: ${deskSeconds.toFixed(2)} s (${run.reason}); peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MiB, run matrices ${(run.train.bytes / 1024 ** 2).toFixed(1)} MiB`);

// Other processes share the 2 cores: the load says how far these figures are from an idle machine.
const load = loadavg()[0] ?? 0;
console.log(`load    1-minute load average ${loadAtStart.toFixed(2)} at the start, ${load.toFixed(2)} at the end, on ${cpus().length} cores`);
console.log(JSON.stringify({
  bench: 'train', load1: +load.toFixed(2), load1AtStart: +loadAtStart.toFixed(2), kernel: 'wasm-simd (own, gemm.wat), two threads over shared memory', kernelGflops: +kernelGflops.toFixed(2),
  epochSeconds: +epoch.seconds.toFixed(3), epochGflop: +(epochFlops / 1e9).toFixed(2), epochGflops: +epochGflops.toFixed(2),
  epochOneThreadSeconds: +best.one.toFixed(3), epochOneThreadGflops: +oneGflops.toFixed(2), twoOverOne: +(best.one / best.two).toFixed(2),
  productsShareTwoThreads: +(best.twoProducts / best.two).toFixed(2),
  jsGflops: +jsGflops.toFixed(2), deskSeconds: +deskSeconds.toFixed(3), deskSteps: run.train.steps,
  peakRssMiB: Math.round(peakRss / 1024 ** 2), deskRunMiB: +(run.train.bytes / 1024 ** 2).toFixed(1),
}));
await two.close();
