// npm run eval:lfw -- --data ../shared/datasets/lfw --view 2 [--flip] [--threads N] [--runtime native|wasm] [--out report.json] [--plot roc.png]
// The standard LFW protocol over the app's own pipeline: 10-fold accuracy (each fold's threshold
// chosen on the other nine), ROC AUC, TAR at FAR 1e-3. Embeddings are cached (.cache/embeddings).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cosine } from '../../core/hypersphere';
import { areaUnderCurve, rocCurve, tarAtFar, tenFoldAccuracy, type ScoredPair } from '../../core/matching/metrics';
import { progressBar } from '../support/progress';
import { lfwRoot } from '../support/shared';
import { parseArgs } from './args';
import { embedImages, MODEL_ID } from './embeddings';
import { readPairs } from './lfw-lists';
import { writeRocPng, writeRocSvg } from './roc-plot';

const args = parseArgs(process.argv.slice(2));
const data = resolve(args.get('data') ?? lfwRoot);
const view = Number(args.get('view') ?? 2);
if (view !== 1 && view !== 2) throw new Error('--view must be 1 or 2');
const flip = args.get('flip') === 'true';
// WASM threads for embedding; 1 is faster when other work shares the cores.
const threads = args.has('threads') ? Number(args.get('threads')) : undefined;
// onnxruntime-node (the default) or onnxruntime-web's WASM; each keeps its own embedding cache.
const runtime = args.get('runtime') === 'wasm' ? 'wasm' : 'native';
const out = resolve(args.get('out') ?? `test-output/lfw-view${view}${flip ? '-flip' : ''}${runtime === 'wasm' ? '-wasm' : ''}.json`);
const plot = resolve(args.get('plot') ?? out.replace(/\.json$/, '') + '-roc.png');

// --cached-only: compute nothing, evaluate the pairs whose images are cached (with --flip: cached with
// their mirror too), and score them both ways, so plain and flip fusion are compared on the same pairs.
const cachedOnly = args.get('cached-only') === 'true';
const allPairs = readPairs(view, data);
const started = performance.now();
const embedded = await embedImages(allPairs.flatMap((p) => [p.a, p.b]), { onProgress: progressBar(`embedding LFW view ${view} (${runtime})`), flip, threads, cachedOnly, runtime });
const embedMs = performance.now() - started;
const pairs = allPairs.filter((p) => embedded.has(p.a) && embedded.has(p.b));
if (cachedOnly) {
  const both = (useFlip: boolean) => tenFoldAccuracy(pairs.map((p) => ({ score: cosine(pickOf(p.a, useFlip), pickOf(p.b, useFlip)), genuine: p.genuine, fold: p.fold })));
  const plain = both(false);
  const fused = flip ? both(true) : undefined;
  console.log(`cached subset: ${pairs.length} of ${allPairs.length} pairs (${pairs.filter((p) => p.genuine).length} genuine)`);
  console.log(`plain ${(100 * plain.mean).toFixed(2)}%${fused ? `   flip fusion ${(100 * fused.mean).toFixed(2)}%` : ''}`);
  console.log(JSON.stringify({ view, runtime, pairs: pairs.length, plain: plain.mean, flip: fused?.mean ?? null }));
  process.exit(0);
}
function pickOf(path: string, useFlip: boolean): Float32Array {
  const e = embedded.get(path);
  if (!e) throw new Error(`no embedding for ${path}`);
  return useFlip ? (e.fused as Float32Array) : e.template;
}
const pick = (path: string) => pickOf(path, flip);
const scored: ScoredPair[] = pairs.map((p) => ({ score: cosine(pick(p.a), pick(p.b)), genuine: p.genuine, fold: p.fold }));
const fallbacks = [...embedded.values()].filter((e) => e.fallback).length;

const accuracy = tenFoldAccuracy(scored);
const roc = rocCurve(scored);
const auc = areaUnderCurve(roc);
const tar = tarAtFar(roc, 1e-3);

const report = {
  dataset: 'LFW deep-funneled',
  view,
  protocol: view === 2 ? '10-fold, threshold of each fold chosen on the other nine' : 'View 1 (dev train + dev test), thresholds chosen across the two',
  modelId: MODEL_ID,
  runtime,
  flipFusion: flip,
  // Wall time to embed what was not cached yet (0 images computed: a cached rerun).
  embedSeconds: Math.round(embedMs / 100) / 10,
  pairCount: scored.length,
  imageCount: embedded.size,
  fallbackCount: fallbacks,
  accuracyMean: accuracy.mean,
  accuracyStd: accuracy.std,
  folds: accuracy.folds,
  auc,
  tarAtFar1e3: tar.tar,
  thresholdAtFar1e3: tar.threshold,
  rocPlot: plot,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
writeRocPng(plot, roc);
writeRocSvg(plot.replace(/\.png$/, '') + '.svg', roc, `LFW view ${view}${flip ? ' + flip' : ''}: ${(100 * accuracy.mean).toFixed(2)}% +/- ${(100 * accuracy.std).toFixed(2)}, AUC ${auc.toFixed(4)}`);

const pct = (x: number) => (100 * x).toFixed(2);
console.log(`LFW view ${view}${flip ? ' (flip fusion)' : ''} on ${runtime}: ${scored.length} pairs, ${embedded.size} images, ${fallbacks} centre-crop fallbacks, embedding ${report.embedSeconds} s`);
for (const f of accuracy.folds) console.log(`  fold ${f.fold + 1}: ${pct(f.accuracy)}% at cosine ${f.threshold.toFixed(3)}`);
console.log(`accuracy ${pct(accuracy.mean)}% +/- ${pct(accuracy.std)}   AUC ${auc.toFixed(4)}   TAR ${pct(tar.tar)}% at FAR 1e-3`);
console.log(`report: ${out}\nROC plot: ${plot} (and .svg with labels)`);
