// `normface verify` as PAM runs it: process start to decision, on a clip. Builds the command, enrolls
// person A once (frames of the enrollment clip), then runs `verify "Person A" --video CLIP` several
// times as a fresh process each (models loaded every time, as at a real login) and prints each run's
// phases (from the command's own --json timings: process start -> session open -> models loaded ->
// frames gathered -> decided) and the median. Ends with one JSON line.
// --from S cuts the clip to start S seconds in (person A's live clip shows no blink the eye model
// sees, and its first head turn ends at 20.5 s; the default 18.5 measures a person who turns at once;
// --from 0 the whole clip). Both runtimes in one run, alternating: onnxruntime-node (what the command
// uses) and onnxruntime-web's WASM (its fallback), each with its own median and phases.
//   npm run bench:cli [-- --runs 5 --clip person-a-live|person-b-live --from 18.5 --runtimes native,wasm]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildCli, clip, enrollmentFrames, ffmpegPath, runCli } from '../support/cli';
import { hasMedia, noMediaReason } from '../support/shared';

if (!hasMedia) {
  console.log(`bench:cli skipped: ${noMediaReason}`);
  console.log(JSON.stringify({ bench: 'cli', skipped: noMediaReason }));
  process.exit(0);
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const runs = Number(args.get('runs') ?? 5);
const clipName = (args.get('clip') ?? 'person-a-live') as 'person-a-live' | 'person-b-live';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const loadAtStart = loadavg()[0] ?? 0;
buildCli();
const dir = mkdtempSync(join(tmpdir(), 'normface-bench-cli-'));
const data = join(dir, 'data');
const enrolled = await runCli(['--data', data, 'enroll', 'Person A', '--photos', enrollmentFrames(join(dir, 'photos'))]);
if (enrolled.status !== 0) throw new Error(`enrollment failed: ${enrolled.stderr}`);

const from = args.get('from') ?? (clipName === 'person-a-live' ? '18.5' : undefined);
const runtimes = (args.get('runtimes') ?? 'native,wasm').split(',') as ('native' | 'wasm')[];
let video = clip(clipName);
if (from !== undefined && Number(from) > 0) {
  video = join(dir, `${clipName}-from-${from}.mp4`);
  execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', from, '-i', clip(clipName), '-t', '15', '-pix_fmt', 'yuv420p', video]);
}

interface Run {
  wallMs: number;
  status: number;
  reason: string;
  analysed: number;
  attemptMs: number;
  timings: { opened: number; modelsLoaded: number; gathered: number; decided: number };
  stageMs: Record<string, number>;
  cpuMs: { opened: number; modelsLoaded: number; gathered: number; decided: number };
}
const results: Record<string, Run[]> = Object.fromEntries(runtimes.map((r) => [r, []]));
console.log(`normface verify "Person A" --video ${clipName}.mp4${from ? ` from ${from} s` : ''}, ${runs} runs per runtime (${runtimes.join(', ')}, alternating), ${cpus().length} cores`);
console.log('run  runtime  wall ms  (open  models  frames  decide)  frames analysed  clip ms  outcome');
for (let r = 0; r < runs; r++) {
  for (const runtime of runtimes) {
    const t0 = performance.now();
    const run = await runCli(['--data', data, '--json', 'verify', 'Person A', '--video', video, '--timeout', '30'], { NORMFACE_RUNTIME: runtime });
    const wallMs = performance.now() - t0;
    const out = JSON.parse(run.stdout) as Omit<Run, 'wallMs' | 'status'> & { reason: string };
    const t = out.timings;
    results[runtime]!.push({ wallMs, status: run.status, reason: out.reason, analysed: out.analysed, attemptMs: out.attemptMs, timings: t, stageMs: out.stageMs, cpuMs: out.cpuMs });
    console.log(
      `${String(r + 1).padStart(3)}  ${runtime.padEnd(7)}  ${wallMs.toFixed(0).padStart(7)}  (${String(t.opened).padStart(4)}  ${String(t.modelsLoaded - t.opened).padStart(6)}  ${String(t.gathered - t.modelsLoaded).padStart(6)}  ${String(t.decided - t.gathered).padStart(6)})  ${String(out.analysed).padStart(15)}  ${String(out.attemptMs).padStart(7)}  exit ${run.status} ${out.reason}`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });

function summarise(list: Run[]) {
  const phase = (f: (t: Run['timings']) => number) => Math.round(median(list.map((r) => f(r.timings))));
  return {
    medianMs: Math.round(median(list.map((r) => r.wallMs))),
    // models: from the session open to the models loaded (the camera opens meanwhile).
    phasesMedianMs: {
      startToSession: phase((t) => t.opened),
      models: phase((t) => t.modelsLoaded - t.opened),
      frames: phase((t) => t.gathered - t.modelsLoaded),
      decide: phase((t) => t.decided - t.gathered),
      exit: Math.round(median(list.map((r) => r.wallMs - r.timings.decided))),
    },
    stageMsMedian: Object.fromEntries(Object.keys(list[0]?.stageMs ?? {}).map((k) => [k, Math.round(median(list.map((r) => r.stageMs[k] ?? 0)))])),
    // CPU time of the command up to its decision, by phase: what the wall clock would read on an idle machine
    // (less where onnxruntime's second thread overlaps), since the wall clock under load measures the neighbours too.
    cpuMsMedian: {
      toDecision: Math.round(median(list.map((r) => r.cpuMs.decided))),
      startToSession: Math.round(median(list.map((r) => r.cpuMs.opened))),
      models: Math.round(median(list.map((r) => r.cpuMs.modelsLoaded - r.cpuMs.opened))),
      frames: Math.round(median(list.map((r) => r.cpuMs.gathered - r.cpuMs.modelsLoaded))),
      decide: Math.round(median(list.map((r) => r.cpuMs.decided - r.cpuMs.gathered))),
    },
    framesAnalysedMedian: median(list.map((r) => r.analysed)),
    clipMsMedian: median(list.map((r) => r.attemptMs)),
    outcomes: list.map((r) => `${r.status}:${r.reason}`),
  };
}
const byRuntime = Object.fromEntries(runtimes.map((r) => [r, summarise(results[r]!)]));
const summary = {
  bench: 'cli',
  clip: `${clipName}.mp4`,
  fromS: from === undefined ? 0 : Number(from),
  runs,
  cores: cpus().length,
  runtimes: byRuntime,
  targetMs: 1500,
  loadAverage: [loadAtStart, loadavg()[0] ?? 0].map((l) => Number(l.toFixed(2))),
};
for (const [runtime, s] of Object.entries(byRuntime)) {
  const p = s.phasesMedianMs;
  console.log(`${runtime}: median ${s.medianMs} ms from process start to exit (target <= 1500 ms with native): to session ${p.startToSession}, models ${p.models}, frames ${p.frames} (${s.framesAnalysedMedian} analysed), decide ${p.decide}, exit ${p.exit}; CPU time to decision ${s.cpuMsMedian.toDecision} ms`);
}
console.log(`load ${summary.loadAverage.join(' -> ')}`);
console.log(JSON.stringify(summary));
