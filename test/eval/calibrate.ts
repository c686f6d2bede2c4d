// npm run calibrate -- [--data ../shared/datasets/lfw] [--out models/calibration.json]
// Cosine thresholds at FMR 1e-3 / 1e-4 / 1e-5 from every impostor and every genuine comparison
// among the images of LFW's View 1 people (peopleDevTrain + peopleDevTest), written with provenance.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fnmrAt, SECURITY_LEVELS, thresholdAtFmr, type SecurityLevel } from '../../core/matching/calibration';
import { calibrationText, type Calibration, type DecisionCalibration, type LevelCalibration } from '../../core/matching/calibrationFile';
import { progressBar } from '../support/progress';
import { lfwImage, lfwRoot, repoRoot } from '../support/shared';
import { parseArgs } from './args';
import { embedImages, MODEL_ID } from './embeddings';
import { imagesOf, readPairs, readPeople } from './lfw-lists';
import { cosine } from '../../core/hypersphere';
import { fitTail, tailThreshold } from '../../core/matching/levels';
import { compactTail, fusedImpostorTail, genuineTable, GENUINE_PROBES, GENUINE_TEMPLATES, IMPOSTOR_PROBES, MAX_SETS, type Person } from './decision-tails';
import { areaUnderCurve, rocCurve, tarAtFar, tenFoldAccuracy } from '../../core/matching/metrics';

const args = parseArgs(process.argv.slice(2));
const data = resolve(args.get('data') ?? lfwRoot);
const out = resolve(args.get('out') ?? join(repoRoot, 'models', 'calibration.json'));
const DIM = 512;

const trainPeople = readPeople('peopleDevTrain.txt', data);
const people = [...trainPeople, ...readPeople('peopleDevTest.txt', data)];
const paths = imagesOf(people);
const embedded = await embedImages(paths, { onProgress: progressBar('embedding View 1 people') });

// One contiguous matrix, rows grouped by identity, so genuine pairs are the diagonal blocks.
const n = paths.length;
const matrix = new Float32Array(n * DIM);
const owner = new Int32Array(n);
let fallbacks = 0;
{
  let row = 0;
  people.forEach((p, id) => {
    for (let k = 0; k < p.count; k++, row++) {
      const e = embedded.get(paths[row] as string);
      if (!e) throw new Error(`missing embedding for ${paths[row]}`);
      if (e.fallback) fallbacks++;
      matrix.set(e.template, row * DIM);
      owner[row] = id;
    }
  });
}

// Impostor scores below KEEP_ABOVE cannot matter for FMR <= 1e-3 as long as more than 1e-3 of
// all impostor scores lie above it (checked below), so only those are kept and sorted.
const KEEP_ABOVE = 0.15;
const DECISION_KEEP_ABOVE = 0.15;

/** A growing list of float32 scores. */
class ScoreList {
  values = new Float32Array(1 << 16);
  length = 0;
  push(s: number): void {
    if (this.length === this.values.length) {
      const grown = new Float32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = s;
  }
  sortedDescending(): Float32Array {
    return this.values.subarray(0, this.length).sort().reverse();
  }
}
let kept = new Float32Array(1 << 20);
let keptCount = 0;
let impostorCount = 0;
// The decision tails (levels.ts) are fitted on View 1's training people only (peopleDevTrain.txt):
// their one-photo tail from the pairs among them; the pairs with a test person are kept apart to
// check the fitted tail's extrapolation on people it never saw.
const nTrain = trainPeople.length;
const trainTop = new ScoreList();
const heldOutTop = new ScoreList();
let trainCount = 0;
const genuine: number[] = [];
// Whose each genuine score is, so the FNMR can weigh every person equally (one man with 530 photos
// would otherwise make 58% of all genuine comparisons).
const genuineOwner: number[] = [];
const tick = progressBar('comparing');
for (let i = 0; i < n; i++) {
  const oi = i * DIM;
  for (let j = i + 1; j < n; j++) {
    const oj = j * DIM;
    let s = 0;
    for (let d = 0; d < DIM; d++) s += (matrix[oi + d] as number) * (matrix[oj + d] as number);
    if (owner[i] === owner[j]) {
      genuine.push(s);
      genuineOwner.push(owner[i] as number);
      continue;
    }
    impostorCount++;
    const train = (owner[i] as number) < nTrain && (owner[j] as number) < nTrain;
    if (train) trainCount++;
    if (s > DECISION_KEEP_ABOVE) (train ? trainTop : heldOutTop).push(s);
    if (s > KEEP_ABOVE) {
      if (keptCount === kept.length) {
        const grown = new Float32Array(kept.length * 2);
        grown.set(kept);
        kept = grown;
      }
      kept[keptCount++] = s;
    }
  }
  if (i % 64 === 0 || i === n - 1) tick(i + 1, n);
}
const top = kept.subarray(0, keptCount).sort().reverse();
if (keptCount < 1e-3 * impostorCount * 1.5) throw new Error(`only ${keptCount} impostor scores above ${KEEP_ABOVE}: lower KEEP_ABOVE`);

/** FNMR with every person who has two or more images weighing the same. */
function fnmrPerPerson(threshold: number): number {
  const pairs = new Map<number, { n: number; missed: number }>();
  for (let k = 0; k < genuine.length; k++) {
    const p = pairs.get(genuineOwner[k] as number) ?? { n: 0, missed: 0 };
    p.n++;
    if ((genuine[k] as number) < threshold) p.missed++;
    pairs.set(genuineOwner[k] as number, p);
  }
  let sum = 0;
  for (const p of pairs.values()) sum += p.missed / p.n;
  return sum / pairs.size;
}

const levels = {} as Record<SecurityLevel, LevelCalibration>;
const thresholds = {} as Record<SecurityLevel, number>;
for (const level of SECURITY_LEVELS) {
  const fmr = Number(level);
  const { threshold, matches } = thresholdAtFmr(top, fmr, impostorCount);
  const { fnmr: fnmrPairs, nonMatches } = fnmrAt(genuine, threshold);
  levels[level] = { fmr, threshold, fnmr: fnmrPerPerson(threshold), fnmrPairs, impostorMatches: matches, genuineNonMatches: nonMatches };
  thresholds[level] = threshold;
}

// Per-decision tails (core/matching/levels.ts), fitted on the training people only.
const trainTemplates: Person[] = trainPeople.map((p) => Array.from({ length: p.count }, (_, k) => embedded.get(lfwImage(p.name, k + 1))!.template));
const oneTail = fitTail(trainTop.sortedDescending(), trainCount, 1);
// Extrapolation check: rates the tail predicts far beyond its fitted start, against every impostor
// pair that involves a View 1 test person (never used in the fit).
const heldOut = heldOutTop.sortedDescending();
const heldOutCount = impostorCount - trainCount;
const extrapolation = [1e-5, 1e-6, 1e-7].map((rate) => {
  const t = tailThreshold(oneTail, rate);
  let n = 0;
  while (n < heldOut.length && (heldOut[n] as number) >= t) n++;
  return { predicted: rate, threshold: Number(t.toFixed(5)), heldOutMatches: n, heldOutRate: n / heldOutCount };
});
const impostorTails = [compactTail(oneTail)];
for (const p of IMPOSTOR_PROBES) impostorTails.push(compactTail(fusedImpostorTail(trainTemplates, p, DECISION_KEEP_ABOVE, progressBar(`fused impostors, ${p} probes`))));
const genuineTables = GENUINE_PROBES.flatMap((p) => GENUINE_TEMPLATES.map((k) => genuineTable(trainTemplates, p, k)));
const decisions: DecisionCalibration = {
  version: 1,
  impostor: impostorTails,
  genuine: genuineTables,
  provenance: {
    people: `LFW View 1 training people only (peopleDevTrain.txt: ${trainPeople.length} people, ${trainTemplates.reduce((n, p) => n + p.length, 0)} images); eval:decisions tests on the others`,
    impostor: `a fused probe of p photos (normalised mean; at most ${MAX_SETS} disjoint sets per person) against every photo of every other person; p = 1 is every pair of photos`,
    tail: 'measured body at quarter decades of rate, generalised Pareto (probability-weighted moments) beyond the score exceeded by max(1e-4, 5000 / comparisons) of them',
    genuine: `p photos against the best of the person's first k photos (at most ${MAX_SETS} sets per person); below[i] = share of attempts below from + i * step`,
    extrapolation: { heldOutComparisons: heldOutCount, fittedFrom: oneTail.gpd.pu, checks: extrapolation },
  },
};

// The headline LFW View 2 figures travel with the thresholds, so the About screen can show them.
const view2 = readPairs(2, data);
const v2 = await embedImages(view2.flatMap((p) => [p.a, p.b]), { onProgress: progressBar('embedding LFW view 2') });
const scored = view2.map((p) => ({ score: cosine(v2.get(p.a)!.template, v2.get(p.b)!.template), genuine: p.genuine, fold: p.fold }));
const accuracy = tenFoldAccuracy(scored);
const roc = rocCurve(scored);
const lfw = {
  view: 2 as const,
  pairs: scored.length,
  accuracy: accuracy.mean,
  accuracyStd: accuracy.std,
  auc: areaUnderCurve(roc),
  tarAtFar1e3: tarAtFar(roc, 1e-3).tar,
  command: 'npm run eval:lfw -- --view 2',
};

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout: provenance says unknown
}
const calibration: Calibration = {
  modelId: MODEL_ID,
  thresholds,
  levels,
  genuineCount: genuine.length,
  impostorCount,
  lfw,
  decisions,
  provenance: {
    dataset: 'LFW deep-funneled, View 1 people (peopleDevTrain.txt + peopleDevTest.txt)',
    people: people.length,
    images: n,
    centreCropFallbacks: fallbacks,
    comparisons: 'every pair of images: same person = genuine, different people = impostor',
    fnmr: 'fnmr weighs every person with 2+ images equally; fnmrPairs weighs every genuine comparison equally',
    command: 'npm run calibrate',
    commit,
    date: new Date().toISOString(),
  },
};
// Checked against the file's schema, and read back as the app reads it, before anything is written.
writeFileSync(out, calibrationText(calibration));
console.log(`${n} images of ${people.length} people: ${genuine.length} genuine and ${impostorCount} impostor comparisons (${fallbacks} fallbacks)`);
for (const level of SECURITY_LEVELS) {
  const l = levels[level];
  console.log(`FMR ${level}: cosine >= ${l.threshold.toFixed(4)}  (impostor matches ${l.impostorMatches}, FNMR ${(100 * l.fnmr).toFixed(2)}% per person, ${(100 * l.fnmrPairs).toFixed(2)}% per comparison)`);
}
for (const tail of impostorTails) console.log(`decision tail, ${tail.probes} probe(s): ${tail.count} impostor comparisons, Pareto beyond ${tail.gpd.u.toFixed(4)} (rate ${tail.gpd.pu.toExponential(2)}), xi ${tail.gpd.xi.toFixed(3)}, sigma ${tail.gpd.sigma.toFixed(4)}`);
for (const e of extrapolation) console.log(`one-photo tail fitted on training people predicts ${e.predicted.toExponential(0)} at cosine ${e.threshold}: held-out pairs ${e.heldOutMatches} of ${heldOutCount} = ${e.heldOutRate.toExponential(2)}`);
console.log(`written: ${out}`);
