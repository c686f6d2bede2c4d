// Presentation-attack detection (ISO/IEC 30107-3 terms): APCER per attack type (attacks accepted /
// attacks tried) and BPCER on the genuine person-a clips (genuine attempts refused), at the default
// security level, through the same code the back end runs: each clip is decoded by ffmpeg to RGBA
// frames, analysed by the face pipeline (core/vision, WASM, as the renderer's worker does), turned
// into FrameEvidence (core/liveness), gathered by LoginEvidence as the login screen gathers them, and
// decided by decideLogin. Attack clips come from test/pad/make-attacks.ts (.cache/pad/attacks).
// Each attempt plays its clip in a loop from its start frame, as Chromium's fake camera does, and
// lasts until the evidence suffices or 30 s have passed. Frames are analysed every STEP-th camera
// frame (7.5 per second, about the rate the login screen analyses at on two cores) and cached.
// Usage: npm run eval:pad [-- --step 2] ; ends with one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideLogin, LOGIN_ATTEMPT_MS, LOGIN_MAX_PROBES, LoginEvidence, type LoginDecision } from '../../core/decisions/login';
import type { FrameEvidence } from '../../core/liveness/evidence';
import { measurePlanarity, PLANARITY } from '../../core/liveness/judge';
import { thresholdFor, type SecurityLevel } from '../../core/matching/calibration';
import { loginThreshold, type LevelsCalibration } from '../../core/matching/levels';
import { TemplateIndex } from '../../core/matching/templateIndex';
import { defaultSettings } from '../../core/contract/api';
import type { FacePipeline } from '../../core/vision/pipeline';
import { clipEvidence, type ClipEvidence } from '../pad/clips';
import { FPS, makeAttacks } from '../pad/make-attacks';
import { createNodePipeline } from '../support/node-pipeline';
import { hasMedia, mediaRoot, noMediaReason, repoRoot } from '../support/shared';
import { parseArgs } from './args';

const args = parseArgs(process.argv.slice(2));
const STEP = Number(args.get('step') ?? 2);
const LEVEL: SecurityLevel = defaultSettings.securityLevel;
/** Genuine attempts per clip, from these start frames (spread over the 20 s clip). */
const STARTS = Array.from({ length: 20 }, (_, k) => 7 + 15 * k);

if (!hasMedia) {
  console.log(`eval:pad skipped: ${noMediaReason}`);
  console.log(JSON.stringify({ skipped: noMediaReason }));
  process.exit(0);
}

const t0 = Date.now();
let pipeline: Promise<FacePipeline> | undefined;
const getPipeline = () => (pipeline ??= createNodePipeline({ threads: 2, models: ['detector', 'landmarks', 'embedder', 'liveness', 'eyes'] }));
const cache = new Map<string, ClipEvidence>();
async function evidenceOf(file: string): Promise<ClipEvidence> {
  let e = cache.get(file);
  if (!e) {
    e = await clipEvidence(getPipeline, file, FPS, STEP);
    cache.set(file, e);
  }
  return e;
}

/** One attempt: the clip looped from `startFrame`, fed to LoginEvidence until ready, then decided. */
function attempt(clip: ClipEvidence, startFrame: number, index: TemplateIndex, threshold: (p: number, t: number) => number): LoginDecision & { ms: number } {
  const n = clip.frames.length;
  let k = clip.indices.findIndex((i) => i >= startFrame);
  if (k < 0) k = 0;
  const gatherer = new LoginEvidence();
  const period = (STEP * 1000) / FPS;
  for (let i = 0; ; i++) {
    const frame: FrameEvidence = { ...clip.frames[(k + i) % n]!, at: Math.round(i * period) };
    const state = gatherer.observe(frame);
    if (state.ready || frame.at > LOGIN_ATTEMPT_MS + 5000) {
      return { ...decideLogin({ frames: gatherer.evidence(), index, identityId: 'A', threshold }), ms: frame.at };
    }
  }
}

const calibration = JSON.parse(readFileSync(join(repoRoot, 'models', 'calibration.json'), 'utf8')) as LevelsCalibration;
const threshold = (p: number, t: number) => {
  try {
    return loginThreshold(calibration, LEVEL, p, t);
  } catch {
    return thresholdFor(calibration, LEVEL);
  }
};

// Person A enrolled from five good frames of person-a-enroll, spread over the clip (as the wizard takes them).
const enrollClip = await evidenceOf(join(mediaRoot, 'person-a-enroll.mjpeg'));
const index = new TemplateIndex({ firstPass: 'exact' });
const good = enrollClip.frames.filter((f) => f.faces === 1 && f.face?.template && Math.abs(f.face.yaw) < 15 && Math.min(f.face.eyes?.left ?? 1, f.face.eyes?.right ?? 1) > 0.9);
for (let i = 0; i < 5; i++) index.add('A', `a${i}`, good[Math.floor(((i + 0.5) * good.length) / 5)]!.face!.template!);

console.log(`making attack clips (cached under .cache/pad/attacks)...`);
const attacks = makeAttacks();

const quant = (xs: number[], q: number) => (xs.length ? [...xs].sort((x, y) => x - y)[Math.floor(q * (xs.length - 1))]! : NaN);
type Row = { attempts: number; accepted: number; live: number; scores: number[]; reasons: Record<string, number> };
const rows = new Map<string, Row>();
const record = (name: string, d: LoginDecision) => {
  const r = rows.get(name) ?? { attempts: 0, accepted: 0, live: 0, scores: [], reasons: {} };
  r.attempts++;
  if (d.accepted) r.accepted++;
  // Whether the liveness rule alone let it through (the face is compared only then).
  if (d.liveness.live) r.live++;
  if (d.score !== null) r.scores.push(d.score);
  const why = d.reason === 'liveness-failed' ? `liveness:${d.liveness.reason}` : d.reason;
  r.reasons[why] = (r.reasons[why] ?? 0) + 1;
  rows.set(name, r);
};

const genuineMs: number[] = [];
for (const clip of ['person-a-live', 'person-a-enroll']) {
  const e = await evidenceOf(join(mediaRoot, `${clip}.mjpeg`));
  for (const s of STARTS) {
    const d = attempt(e, s, index, threshold);
    record(`genuine ${clip}`, d);
    if (d.accepted) genuineMs.push(d.ms);
  }
}
const b = await evidenceOf(join(mediaRoot, 'person-b-live.mjpeg'));
for (const s of STARTS) record('impostor person-b-live as A', attempt(b, s, index, threshold));

for (const [n, a] of attacks.entries()) {
  if (n % 20 === 0) console.log(`  ${a.type}... (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  record(`attack ${a.type}`, attempt(await evidenceOf(a.file), a.startFrame, index, threshold));
}

// The planarity test measured on its own: windows of 2, 4 and 8 s starting every 3 analysed frames
// (0.4 s) over the genuine clips (looped) and over the turned-photo attacks. The threshold is set from
// the genuine side only.
function windowRatios(e: ClipEvidence): (number | null)[] {
  const out: (number | null)[] = [];
  for (const secs of [2, 4, 8]) {
    const span = Math.round((secs * FPS) / STEP);
    for (let s = 0; s < e.frames.length; s += 3) {
      const w = Array.from({ length: span }, (_, i) => e.frames[(s + i) % e.frames.length]!);
      out.push(measurePlanarity(w, { ...PLANARITY, planarRatio: 0 }).ratio);
    }
  }
  return out;
}
const genuineRatios: number[] = [];
for (const clip of ['person-a-live', 'person-a-enroll']) for (const r of windowRatios(await evidenceOf(join(mediaRoot, `${clip}.mjpeg`)))) if (r !== null) genuineRatios.push(r);
const turnedRatios: number[] = [];
for (const a of attacks.filter((x) => x.type === 'outofplane')) for (const r of windowRatios(await evidenceOf(a.file))) if (r !== null) turnedRatios.push(r);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`\nPresentation-attack detection at security level FMR ${LEVEL}, person A enrolled from person-a-enroll (5 frames)`);
console.log(`frames analysed every ${STEP} camera frames (${(FPS / STEP).toFixed(1)}/s); attempt ends when the evidence suffices or after ${LOGIN_ATTEMPT_MS / 1000} s\n`);
console.log('| presentation | attempts | accepted | rate | passed liveness | median score (threshold) | reasons |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const apcer: Record<string, number> = {};
const passedLiveness: Record<string, number> = {};
const attempts: Record<string, number> = {};
for (const [name, r] of rows) {
  const rate = name.startsWith('genuine') ? (r.attempts - r.accepted) / r.attempts : r.accepted / r.attempts;
  const label = name.startsWith('genuine') ? 'BPCER' : name.startsWith('attack') ? 'APCER' : 'FMR';
  const score = r.scores.length ? `${quant(r.scores, 0.5).toFixed(3)} (${threshold(LOGIN_MAX_PROBES, 5).toFixed(3)})` : '-';
  console.log(`| ${name} | ${r.attempts} | ${r.accepted} | ${label} ${pct(rate)} | ${r.live} | ${score} | ${Object.entries(r.reasons).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  if (name.startsWith('attack ')) {
    apcer[name.slice(7)] = rate;
    attempts[name.slice(7)] = r.attempts;
    passedLiveness[name.slice(7)] = r.live / r.attempts;
  }
}
const genuine = [...rows].filter(([n]) => n.startsWith('genuine')).map(([, r]) => r);
const gTried = genuine.reduce((a, r) => a + r.attempts, 0);
const gRefused = genuine.reduce((a, r) => a + r.attempts - r.accepted, 0);
console.log(`\nBPCER (both genuine clips): ${gRefused}/${gTried} = ${pct(gRefused / gTried)}; genuine decided after median ${(quant(genuineMs, 0.5) / 1000).toFixed(1)} s of camera`);
console.log(`planarity ratio (homography residual / out-of-plane motion) over 2-8 s windows, threshold ${PLANARITY.planarRatio}:`);
console.log(`  genuine (tuning set): ${genuineRatios.length} windows with motion, min ${quant(genuineRatios, 0).toFixed(3)}, p5 ${quant(genuineRatios, 0.05).toFixed(3)}, median ${quant(genuineRatios, 0.5).toFixed(3)}`);
console.log(`  turned photo: ${turnedRatios.length} windows, median ${quant(turnedRatios, 0.5).toFixed(3)}, max ${quant(turnedRatios, 1).toFixed(3)}, under the threshold ${pct(turnedRatios.filter((r) => r < PLANARITY.planarRatio).length / turnedRatios.length)}`);
console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
console.log(
  JSON.stringify({
    level: LEVEL,
    step: STEP,
    apcer,
    attempts,
    passedLiveness,
    bpcer: gRefused / gTried,
    genuineAttempts: gTried,
    impostorAccepted: rows.get('impostor person-b-live as A')?.accepted ?? null,
    planarity: { threshold: PLANARITY.planarRatio, genuineMin: quant(genuineRatios, 0), genuineMedian: quant(genuineRatios, 0.5), turnedMax: quant(turnedRatios, 1), turnedMedian: quant(turnedRatios, 0.5) },
    seconds: Math.round((Date.now() - t0) / 1000),
  }),
);
await (await pipeline)?.release();
