// LFW experiment for native-train (issue 5): does fine-tuning agents beat plain templates?
// Identities with >= 6 images: the first `--enrolled` (3) images enrolled, the rest known probes;
// unknown probes: every image of identities with 1 or 2 images; cohort (unknown faces a kiosk saw,
// used only as training negatives): images of identities with 3-5 images, so it never overlaps the
// unknown probes. Prints closed-set rank-1 and open-set FNIR at FPIR = 1% for (a) mean templates,
// (b) best single template, (c) agents trained with each loss/setup; ends with one JSON line.
//   npm run eval:train [-- --identities N --unknown N --cohort N --probes-per-identity N --enrolled K]
//   --cached-only: use only images already in the embeddings cache (a quick look while it fills;
//   enrolled = first K cached images of each identity). Reads the cache's record headers as
//   test/eval/embeddings.ts writes them.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { WasmMatMul } from '../../native-train/kernel/wasmMatMul';
import type { LossKind } from '../../native-train/losses/loss';
import { agentGallery, identificationMetrics, type Gallery, type IdentificationMetrics, type Probes } from '../../native-train/metrics';
import { seededRandom, shuffle } from '../../native-train/prng';
import { meanAgents } from '../../native-train/protocol';
import { defaultTrainSettings, train, type TrainSettings } from '../../native-train/trainer';
import { progressBar } from '../support/progress';
import { hasLfw, lfwImage, noLfwReason, repoRoot } from '../support/shared';
import { parseArgs } from './args';
import { embedLfwImages, MODEL_ID } from './embeddings';
import { readPeople } from './lfw-lists';

const DIM = 512;
const args = parseArgs(process.argv.slice(2));
const num = (name: string, fallback: number): number => {
  const v = args.get(name);
  return v === undefined ? fallback : Number(v);
};
if (!hasLfw) {
  console.error(`eval:train skipped: ${noLfwReason}`);
  process.exit(2);
}
const enrolled = num('enrolled', 3);
const minImages = Math.max(6, enrolled + 1);
const probesPerIdentity = num('probes-per-identity', Infinity);
const random = seededRandom(num('seed', 1));

function cachedPaths(): Set<string> {
  const file = join(repoRoot, '.cache', 'embeddings', `${MODEL_ID.replace(/[^\w.-]+/g, '_')}.v1.bin`);
  const keys = new Set<string>();
  if (!existsSync(file)) return keys;
  const buf = readFileSync(file);
  for (let o = 0; o + 2 <= buf.length;) {
    const len = buf.readUInt16LE(o);
    const end = o + 4 + len + 8 * DIM;
    if (end > buf.length) break;
    keys.add(buf.toString('utf8', o + 2, o + 2 + len));
    o = end;
  }
  return keys;
}
const cached = args.has('cached-only') ? cachedPaths() : null;
const available = (path: string): boolean => cached === null || cached.has(relative(join(repoRoot, '..'), path));
const imagesOfPerson = (p: { name: string; count: number }): string[] =>
  Array.from({ length: p.count }, (_, i) => lfwImage(p.name, i + 1)).filter(available);

const people = [...readPeople('peopleDevTrain.txt'), ...readPeople('peopleDevTest.txt')].sort((a, b) => a.name.localeCompare(b.name));
const pick = <T,>(items: T[], limit: number): T[] => {
  const order = shuffle(new Int32Array(items.length).map((_, i) => i), random);
  return Array.from(order.subarray(0, Math.min(limit, items.length)), (i) => items[i] as T);
};
const known = pick(people.filter((p) => p.count >= minImages && imagesOfPerson(p).length > enrolled), num('identities', Infinity))
  .sort((a, b) => a.name.localeCompare(b.name));
const unknownPaths = pick(people.filter((p) => p.count <= 2).flatMap(imagesOfPerson), num('unknown', Infinity));
const cohortPaths = pick(people.filter((p) => p.count >= 3 && p.count <= 5).flatMap(imagesOfPerson), num('cohort', 2000));

const enrolledPaths = known.map((p) => imagesOfPerson(p).slice(0, enrolled));
const probePaths = known.map((p) => imagesOfPerson(p).slice(enrolled, enrolled + probesPerIdentity));
const all = [...enrolledPaths.flat(), ...probePaths.flat(), ...unknownPaths, ...cohortPaths];
console.error(`eval:train: ${known.length} identities x ${enrolled} enrolled, ${probePaths.flat().length} known probes, ${unknownPaths.length} unknown probes, ${cohortPaths.length} cohort faces (${all.length} images)`);
const templates = await embedLfwImages(all, { onProgress: progressBar('embedding LFW') });
const get = (p: string): Float32Array => templates.get(p) as Float32Array;

const identities = enrolledPaths.map((list) => list.map(get));
const classes = identities.length;
const cohort = cohortPaths.map(get);
const probeList = [...probePaths.flatMap((list, c) => list.map((p) => ({ t: get(p), label: c }))), ...unknownPaths.map((p) => ({ t: get(p), label: -1 }))];
const probes: Probes = { dim: DIM, templates: new Float32Array(probeList.length * DIM), labels: Int32Array.from(probeList, (p) => p.label) };
probeList.forEach((p, i) => probes.templates.set(p.t, i * DIM));

const measure = WasmMatMul.create();
if (measure instanceof Error) throw measure;
const trainer = WasmMatMul.create();
if (trainer instanceof Error) throw trainer;
const evaluate = (gallery: Gallery): IdentificationMetrics => identificationMetrics(measure, probes, gallery, classes, { targetFpir: 0.01, leaveOwnOut: false });

interface Row { name: string; metrics: IdentificationMetrics; seconds?: number; scale?: number; drift?: number }
const rows: Row[] = [];
const means = meanAgents(identities, DIM);
rows.push({ name: '(a) mean templates', metrics: evaluate(agentGallery(means, classes)) });
const singles: Gallery = { vectors: new Float32Array(classes * enrolled * DIM), owners: new Int32Array(classes * enrolled) };
identities.forEach((list, c) => list.forEach((t, k) => { singles.vectors.set(t, (c * enrolled + k) * DIM); singles.owners[c * enrolled + k] = c; }));
rows.push({ name: '(b) best single template', metrics: evaluate(singles) });

interface Setup { name: string; loss: LossKind; cohort: boolean; patch?: Partial<TrainSettings>; lambda?: number; margin?: number }
const setups: Setup[] = [
  { name: 'softmax (s learnt from 10), SGD', loss: 'softmax', cohort: false },
  { name: 'softmax, Adam', loss: 'softmax', cohort: false, patch: { optimizer: { ...defaultTrainSettings.optimizer, kind: 'adam', learningRate: 0.01 } } },
  { name: 'softmax + 0.01 C-contrastive', loss: 'softmax+contrastive', cohort: false },
  { name: 'softmax + 0.01 C-triplet', loss: 'softmax+triplet', cohort: false },
  { name: 'C-contrastive', loss: 'contrastive', cohort: false },
  { name: 'C-triplet', loss: 'triplet', cohort: false },
  { name: 'C-contrastive + cohort negatives', loss: 'contrastive', cohort: true },
  { name: 'softmax + 0.01 C-contrastive + cohort', loss: 'softmax+contrastive', cohort: true },
  { name: 'softmax + 1.0 C-contrastive + cohort', loss: 'softmax+contrastive', cohort: true, lambda: 1 },
  // Margin 1 only pushes negatives with cos > 0.5, far above the open-set threshold (~0.38 here):
  // 1.3 (cos > 0.35) makes the cohort act where rejection is decided.
  { name: 'C-contrastive margin 1.3 + cohort', loss: 'contrastive', cohort: true, margin: 1.3 },
  { name: 'softmax + 1.0 C-contrastive margin 1.3 + cohort', loss: 'softmax+contrastive', cohort: true, lambda: 1, margin: 1.3 },
];
const only = args.get('only');
for (const setup of setups.filter((s) => !only || s.name.includes(only))) {
  const extra = setup.cohort ? cohort : [];
  const count = classes * enrolled + extra.length;
  const rowsT = new Float32Array(count * DIM);
  const labels = new Int32Array(count);
  let r = 0;
  identities.forEach((list, c) => list.forEach((t) => { rowsT.set(t, r * DIM); labels[r++] = c; }));
  for (const t of extra) { rowsT.set(t, r * DIM); labels[r++] = -1; }
  const settings: TrainSettings = {
    ...defaultTrainSettings,
    loss: {
      ...defaultTrainSettings.loss, kind: setup.loss, lambda: setup.lambda ?? defaultTrainSettings.loss.lambda,
      contrastiveMargin: setup.margin ?? defaultTrainSettings.loss.contrastiveMargin,
    },
    ...setup.patch,
  };
  const out = train({ dim: DIM, templates: rowsT, labels, classes, agents: means }, settings, trainer);
  if (out.status !== 'done') throw new Error(`${setup.name}: ${out.message}`);
  let drift = 0;
  for (let c = 0; c < classes; c++) {
    let dot = 0;
    for (let i = 0; i < DIM; i++) dot += (out.agents[c * DIM + i] as number) * (means[c * DIM + i] as number);
    drift += dot / classes;
  }
  rows.push({ name: `(c) ${setup.name}`, metrics: evaluate(agentGallery(out.agents, classes)), seconds: out.seconds, scale: out.scale, drift });
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`.padStart(7);
console.log(`\n${classes} identities, ${enrolled} enrolled each; ${probes.labels.filter((l) => l >= 0).length} known and ${probes.labels.filter((l) => l < 0).length} unknown probes; cohort ${cohort.length}`);
console.log('| setup | rank-1 | FNIR @ FPIR 1% | FPIR | mean cos to start | s | train s |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) {
  const m = row.metrics;
  console.log(`| ${row.name} | ${pct(m.rank1)} | ${pct(m.fnir)} | ${pct(m.fpir)} | ${row.drift?.toFixed(3) ?? ''} | ${row.scale?.toFixed(2) ?? ''} | ${row.seconds?.toFixed(2) ?? ''} |`);
}
console.log(JSON.stringify({
  eval: 'train', identities: classes, enrolled, knownProbes: probes.labels.filter((l) => l >= 0).length,
  unknownProbes: probes.labels.filter((l) => l < 0).length, cohort: cohort.length,
  results: rows.map((r) => ({ setup: r.name, rank1: r.metrics.rank1, fnirAtFpir1: r.metrics.fnir, fpir: r.metrics.fpir, threshold: r.metrics.threshold })),
}));
