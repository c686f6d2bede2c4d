// Speed of native-train (issue 5). Prints the kernel's rate, one epoch of 1,000 identities x 10
// templates x 512-d (GFLOP/s of the whole step: products, loss and optimizer), the same step in plain
// JS for scale, and a whole fine-tuning run per the protocol on a 200-identity desk with peak memory.
// Ends with one JSON line.   npm run bench:train
import { cpus, loadavg } from 'node:os';
import { WasmMatMul } from '../../native-train/kernel/wasmMatMul';
import { jsMatMul, ntFlops, type MatMul } from '../../native-train/matmul';
import { normalizeRows } from '../../native-train/normalize';
import { defaultProtocolSettings, runProtocol } from '../../native-train/protocol';
import { flatten, syntheticIdentities } from '../../native-train/synthetic';
import { defaultTrainSettings, train } from '../../native-train/trainer';

const DIM = 512;
const wasmOrError = WasmMatMul.create();
if (wasmOrError instanceof Error) throw wasmOrError;
const wasm: MatMul = wasmOrError;
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

// 2. One epoch, 1,000 identities x 10 templates, batches of 1,000 (10 steps).
const big = syntheticIdentities({ identities: 1000, perIdentity: 10, dim: DIM, noise: 0.05, seed: 1 });
const bigSet = { dim: DIM, classes: 1000, ...flatten(big.identities, DIM), agents: big.centres.slice() };
normalizeRows(bigSet.agents, 1000, DIM);
const epochSettings = { ...defaultTrainSettings, batchSize: 1000, epochs: 1, maxSeconds: 600 };
train(bigSet, { ...epochSettings, epochs: 1 }, wasm); // warm-up (JIT, memory growth)
sample();
const epoch = train(bigSet, epochSettings, wasm, { onProgress: sample });
const epochFlops = epoch.steps * 2 * ntFlops(1000, 1000, DIM);
const epochGflops = epochFlops / epoch.seconds / 1e9;
console.log(`epoch   1,000 ids x 10 templates: ${epoch.seconds.toFixed(2)} s for ${epoch.steps} steps, ${(epochFlops / 1e9).toFixed(1)} GFLOP -> ${epochGflops.toFixed(1)} GFLOP/s (WASM SIMD, whole steps)`);

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
const run = runProtocol({ dim: DIM, identities: desk.identities }, defaultProtocolSettings, wasm, measure, { onProgress: sample });
const deskSeconds = (performance.now() - t0) / 1000;
sample();
console.log(`desk    200 ids x 10 templates, ${run.train.steps} steps: ${deskSeconds.toFixed(2)} s (${run.reason}); peak RSS ${(peakRss / 1024 ** 2).toFixed(0)} MiB, run matrices ${(run.train.bytes / 1024 ** 2).toFixed(1)} MiB`);

// Other processes share the 2 cores: the load says how far these figures are from an idle machine.
const load = loadavg()[0] ?? 0;
console.log(`load    1-minute load average ${load.toFixed(2)} on ${cpus().length} cores`);
console.log(JSON.stringify({
  bench: 'train', load1: +load.toFixed(2), kernel: 'wasm-simd (own, gemm.wat)', kernelGflops: +kernelGflops.toFixed(2),
  epochSeconds: +epoch.seconds.toFixed(3), epochGflop: +(epochFlops / 1e9).toFixed(2), epochGflops: +epochGflops.toFixed(2),
  jsGflops: +jsGflops.toFixed(2), deskSeconds: +deskSeconds.toFixed(3), deskSteps: run.train.steps,
  peakRssMiB: Math.round(peakRss / 1024 ** 2), deskRunMiB: +(run.train.bytes / 1024 ** 2).toFixed(1),
}));
