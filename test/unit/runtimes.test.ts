// onnxruntime-node (the Node hosts' runtime) against onnxruntime-web's WASM (its fallback, and the
// renderer's): the same templates on a fixed 300-image LFW sample (cosine >= 0.9999; the WASM ones
// are cached in .cache/embeddings, the native ones computed every run), and the same decisions from
// `normface verify` on person A's and person B's live clips, run once on each runtime.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../../core/hypersphere';
import { tempDataDir } from '../support/apiFixtures';
import { buildCli, clip, enrollmentFrames, ffmpegPath, runCli } from '../support/cli';
import { createNodePipeline } from '../support/node-pipeline';
import { hasLfw, hasMedia, noLfwReason, noMediaReason, skipReason, titled } from '../support/shared';
import { embedImages, embedLfwFile } from '../eval/embeddings';
import { fixedSample } from '../eval/lfw-lists';
import type { FacePipeline } from '../../core/vision/pipeline';

const noLfw = skipReason(!hasLfw && noLfwReason);
describe.skipIf(noLfw)(titled('onnxruntime-node and WASM give the same templates', noLfw), () => {
  let native: FacePipeline;
  beforeAll(async () => {
    native = await createNodePipeline({ runtime: 'native', threads: 1 });
  });
  afterAll(() => native?.release());

  it('on 300 LFW images: cosine >= 0.9999 between the two runtimes', async () => {
    expect(native.backend).toBe('cpu');
    const sample = fixedSample(300);
    const wasm = await embedImages(sample, { runtime: 'wasm', threads: 1 });
    let lowest = 1;
    for (const path of sample) {
      const n = await embedLfwFile(native, path);
      lowest = Math.min(lowest, cosine(n.template, wasm.get(path)!.template));
    }
    console.log(`native vs WASM templates, 300 LFW images: lowest cosine ${lowest.toFixed(6)}`);
    expect(lowest).toBeGreaterThanOrEqual(0.9999);
  }, 900_000);
});

const noMedia = skipReason(!hasMedia && noMediaReason);
describe.skipIf(noMedia)(titled('onnxruntime-node and WASM give the same decisions', noMedia), () => {
  const dir = tempDataDir('runtimes');
  const data = join(dir, 'data');
  let turning = '';
  beforeAll(async () => {
    buildCli();
    const enrolled = await runCli(['--data', data, 'enroll', 'Person A', '--photos', enrollmentFrames(join(dir, 'photos'))]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    // A's clip from 18.5 s: A turns within the first second (bench:cli measures the same).
    turning = join(dir, 'a-turning.mp4');
    execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', '18.5', '-i', clip('person-a-live'), '-t', '15', '-pix_fmt', 'yuv420p', turning]);
  }, 300_000);

  it("on person A's and person B's live clips, claiming A", async () => {
    const outcome = async (video: string, runtime: 'native' | 'wasm') => {
      const r = await runCli(['--data', data, '--json', 'verify', 'Person A', '--video', video, '--timeout', '10'], { NORMFACE_RUNTIME: runtime });
      const out = JSON.parse(r.stdout) as { accepted: boolean; reason: string; score: number | null };
      return { status: r.status, accepted: out.accepted, reason: out.reason, score: out.score };
    };
    const accepted: boolean[] = [];
    for (const video of [turning, clip('person-b-live')]) {
      const n = await outcome(video, 'native');
      const w = await outcome(video, 'wasm');
      console.log(`${video}: native ${JSON.stringify(n)}, WASM ${JSON.stringify(w)}`);
      expect({ status: n.status, accepted: n.accepted, reason: n.reason }).toEqual({ status: w.status, accepted: w.accepted, reason: w.reason });
      if (n.score !== null && w.score !== null) expect(Math.abs(n.score - w.score)).toBeLessThan(0.01);
      accepted.push(n.accepted);
    }
    // A is accepted, B refused: two meaningful decisions were compared.
    expect(accepted).toEqual([true, false]);
  }, 600_000);
});
