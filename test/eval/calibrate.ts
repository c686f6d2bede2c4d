// npm run calibrate -- [--data ../shared/datasets/lfw] [--out models/calibration.json]
// Cosine thresholds at FMR 1e-3 / 1e-4 / 1e-5 from every impostor and every genuine comparison
// among the images of LFW's View 1 people (peopleDevTrain + peopleDevTest), written with provenance.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fnmrAt, SECURITY_LEVELS, thresholdAtFmr, type Calibration, type LevelCalibration, type SecurityLevel } from '../../core/matching/calibration';
import { progressBar } from '../support/progress';
import { lfwRoot, repoRoot } from '../support/shared';
import { parseArgs } from './args';
import { embedImages, MODEL_ID } from './embeddings';
import { imagesOf, readPairs, readPeople } from './lfw-lists';
import { cosine } from '../../core/hypersphere';
import { areaUnderCurve, rocCurve, tarAtFar, tenFoldAccuracy } from '../../core/matching/metrics';

const args = parseArgs(process.argv.slice(2));
const data = resolve(args.get('data') ?? lfwRoot);
const out = resolve(args.get('out') ?? join(repoRoot, 'models', 'calibration.json'));
const DIM = 512;

const people = [...readPeople('peopleDevTrain.txt', data), ...readPeople('peopleDevTest.txt', data)];
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
let kept = new Float32Array(1 << 20);
let keptCount = 0;
let impostorCount = 0;
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
writeFileSync(out, JSON.stringify(calibration, null, 2) + '\n');
console.log(`${n} images of ${people.length} people: ${genuine.length} genuine and ${impostorCount} impostor comparisons (${fallbacks} fallbacks)`);
for (const level of SECURITY_LEVELS) {
  const l = levels[level];
  console.log(`FMR ${level}: cosine >= ${l.threshold.toFixed(4)}  (impostor matches ${l.impostorMatches}, FNMR ${(100 * l.fnmr).toFixed(2)}% per person, ${(100 * l.fnmrPairs).toFixed(2)}% per comparison)`);
}
console.log(`written: ${out}`);
