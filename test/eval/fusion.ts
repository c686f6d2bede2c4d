// npx tsx test/eval/fusion.ts [--k 1,2,3,5] [--max-sets 8] [--all-images]
// How much fusing several probe photos of a person (the normalised mean of their templates, as the
// login and kiosk do with camera frames) lowers the false non-match rate at a fixed false-match rate.
// Protocol: LFW people with >= 6 images; each has one gallery image (the enrolled template); the rest
// are split into disjoint probe sets of k images. Genuine: a set against its own gallery; impostor: a
// set against every other person's gallery. Thresholds are set per k on its own impostors, so every
// row holds the same FMR; the calibrated threshold (models/calibration.json, if present) is applied
// too. By default only images the pair lists already embedded are used, so a rerun takes seconds.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosine } from '../../core/hypersphere';
import { meanTemplate } from '../../core/matching/probe';
import { thresholdAtFmr } from '../../core/matching/calibration';
import { progressBar } from '../support/progress';
import { hasLfw, lfwImage, noLfwReason, repoRoot } from '../support/shared';
import { parseArgs } from './args';
import { embedLfwImages } from './embeddings';
import { readPairs, readPeople } from './lfw-lists';

const args = parseArgs(process.argv.slice(2));
const ks = (args.get('k') ?? '1,2,3,5').split(',').map(Number);
const maxSets = Number(args.get('max-sets') ?? 8);
const MIN_IMAGES = 1 + Math.max(...ks);
const FMRS = [1e-3, 1e-4];

if (!hasLfw) {
  console.error(`fusion eval needs LFW: ${noLfwReason}`);
  process.exit(1);
}

// Images per person, in LFW's numbering; restricted to the pair lists' images unless --all-images.
const inPairs = new Set([...readPairs(1), ...readPairs(2)].flatMap((p) => [p.a, p.b]));
const people = [...readPeople('peopleDevTrain.txt'), ...readPeople('peopleDevTest.txt')]
  .map((p) => ({ name: p.name, images: Array.from({ length: p.count }, (_, i) => lfwImage(p.name, i + 1)).filter((path) => args.has('all-images') || inPairs.has(path)) }))
  .filter((p) => p.images.length >= MIN_IMAGES);
const templates = await embedLfwImages(
  people.flatMap((p) => p.images),
  { onProgress: progressBar('embedding') },
);
const get = (path: string) => templates.get(path) as Float32Array;

interface Row {
  k: number;
  genuine: number;
  impostor: number;
  /** FNMR at the threshold that gives this FMR on this k's own impostors. */
  fnmr: Record<string, { threshold: number; fnmr: number } | null>;
  /** FMR and FNMR at the calibrated (or k=1) threshold. */
  atCalibrated: { threshold: number; fmr: number; fnmr: number };
}

const galleries = people.map((p) => get(p.images[0]!));
function evaluate(k: number): { genuine: Float64Array; impostor: Float64Array } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  people.forEach((p, owner) => {
    const rest = p.images.slice(1);
    const sets = Math.min(maxSets, Math.floor(rest.length / k));
    for (let s = 0; s < sets; s++) {
      const probe = k === 1 ? get(rest[s]!) : meanTemplate(rest.slice(s * k, s * k + k).map(get));
      galleries.forEach((g, other) => (other === owner ? genuine : impostor).push(cosine(probe, g)));
    }
  });
  return { genuine: Float64Array.from(genuine), impostor: Float64Array.from(impostor).sort().reverse() };
}

const results = ks.map((k) => ({ k, ...evaluate(k) }));
const calibrationPath = join(repoRoot, 'models', 'calibration.json');
const calibrated = existsSync(calibrationPath) ? (JSON.parse(readFileSync(calibrationPath, 'utf8')) as { thresholds: Record<string, number> }).thresholds['1e-3'] : undefined;
const baseline = results.find((r) => r.k === 1) ?? results[0]!;
const fixed = calibrated ?? thresholdAtFmr(baseline.impostor, 1e-3).threshold;
const fixedSource = calibrated !== undefined ? 'models/calibration.json FMR 1e-3' : 'k=1 impostors, FMR 1e-3';

const rows: Row[] = results.map(({ k, genuine, impostor }) => {
  const fnmrAt = (t: number) => genuine.filter((s) => s < t).length / genuine.length;
  const fnmr: Row['fnmr'] = {};
  for (const fmr of FMRS) {
    // Fewer than 10 impostors above the cut: the rate is not measurable at this sample size.
    if (fmr * impostor.length < 10) fnmr[String(fmr)] = null;
    else {
      const { threshold } = thresholdAtFmr(impostor, fmr);
      fnmr[String(fmr)] = { threshold, fnmr: fnmrAt(threshold) };
    }
  }
  const fmrFixed = impostor.filter((s) => s >= fixed).length / impostor.length;
  return { k, genuine: genuine.length, impostor: impostor.length, fnmr, atCalibrated: { threshold: fixed, fmr: fmrFixed, fnmr: fnmrAt(fixed) } };
});

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
console.log(`${people.length} LFW people with >= ${MIN_IMAGES} images; one gallery image each, probe sets of k other images fused by normalised mean`);
console.log(`k  genuine  impostor  ${FMRS.map((f) => `FNMR@FMR${f} (thr)`.padStart(24)).join(' ')}   at ${fixedSource} thr ${fixed.toFixed(3)}: FMR / FNMR`);
for (const r of rows) {
  const cells = FMRS.map((f) => {
    const c = r.fnmr[String(f)];
    return (c ? `${pct(c.fnmr)} (${c.threshold.toFixed(3)})` : 'n/a').padStart(24);
  });
  console.log(`${String(r.k).padEnd(2)} ${String(r.genuine).padStart(7)} ${String(r.impostor).padStart(9)}  ${cells.join(' ')}   ${pct(r.atCalibrated.fmr)} / ${pct(r.atCalibrated.fnmr)}`);
}
console.log(JSON.stringify({ eval: 'fusion', people: people.length, fixedThreshold: { source: fixedSource, value: fixed }, rows }));
