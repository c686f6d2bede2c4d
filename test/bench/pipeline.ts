// npm run bench:pipeline: median milliseconds per stage and for the whole chain (detect + landmarks
// + align + embed) on WASM with 1 and 2 threads, over real LFW photos. Ends with one JSON line.
// onnxruntime-web fixes its thread count at first use, so each thread count runs in its own process.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { alignedTensor } from '../../core/vision/align';
import { embedTensor } from '../../core/vision/embed';
import { fivePoints } from '../../core/vision/landmarks';
import { parseArgs } from '../eval/args';
import { decodeFile } from '../support/decode';
import { createNodePipeline } from '../support/node-pipeline';
import * as ort from 'onnxruntime-web';
import { hasLfw, lfwImage, noLfwReason } from '../support/shared';

const STAGES = ['detect', 'landmarks', 'align', 'embed', 'chain'] as const;
type Stage = (typeof STAGES)[number];
const SAMPLE = ['Aaron_Peirsol', 'George_W_Bush', 'Colin_Powell', 'Tony_Blair', 'Serena_Williams', 'Gerhard_Schroeder', 'Jennifer_Capriati', 'Hugo_Chavez'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function child(threads: number, rounds: number): Promise<Record<Stage, number>> {
  const pipeline = await createNodePipeline({ threads });
  const images = SAMPLE.flatMap((name) => [1, 2].map((i) => decodeFile(lfwImage(name, i))));
  const times: Record<Stage, number[]> = { detect: [], landmarks: [], align: [], embed: [], chain: [] };
  const session = pipeline.models.get('embedder');
  for (let r = 0; r < rounds + 1; r++) {
    for (const img of images) {
      const t0 = performance.now();
      const [face] = await pipeline.detect(img);
      if (!face) throw new Error('no face in a benchmark photo');
      const t1 = performance.now();
      const points = fivePoints(await pipeline.landmarks(img, face.box));
      const t2 = performance.now();
      const tensor = alignedTensor(img, points);
      const t3 = performance.now();
      await embedTensor(ort, session, tensor);
      const t4 = performance.now();
      if (r === 0) continue; // warm-up round: first runs compile kernels
      times.detect.push(t1 - t0);
      times.landmarks.push(t2 - t1);
      times.align.push(t3 - t2);
      times.embed.push(t4 - t3);
      times.chain.push(t4 - t0);
    }
  }
  await pipeline.release();
  return Object.fromEntries(STAGES.map((s) => [s, median(times[s])])) as Record<Stage, number>;
}

const args = parseArgs(process.argv.slice(2));
const rounds = Number(args.get('rounds') ?? 5);
if (args.has('child')) {
  console.log(JSON.stringify(await child(Number(args.get('threads')), rounds)));
} else {
  if (!hasLfw) {
    console.error(`bench:pipeline needs real faces: ${noLfwReason}`);
    process.exit(1);
  }
  const self = fileURLToPath(import.meta.url);
  const loadAtStart = loadavg()[0] as number;
  const results: Record<string, Record<Stage, number>> = {};
  for (const threads of [1, 2]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', '--threads', String(threads), '--rounds', String(rounds)], { encoding: 'utf8' });
    results[`threads${threads}`] = JSON.parse(out.trim().split('\n').pop() as string);
  }
  console.log(`median ms over ${SAMPLE.length * 2} LFW photos x ${rounds} rounds (WASM)`);
  console.log(`stage      ${'1 thread'.padStart(10)} ${'2 threads'.padStart(10)}`);
  for (const s of STAGES) console.log(`${s.padEnd(10)} ${results.threads1![s].toFixed(2).padStart(10)} ${results.threads2![s].toFixed(2).padStart(10)}`);
  const load = [loadAtStart, loadavg()[0] as number].map((l) => Number(l.toFixed(2)));
  console.log(`1-minute load average ${load[0]} at the start, ${load[1]} at the end`);
  console.log(JSON.stringify({ bench: 'pipeline', backend: 'wasm', unit: 'ms median', loadAverage: load, ...results }));
}
