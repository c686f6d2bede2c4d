// Clip frames for the presentation-attack evaluation: a video decoded by ffmpeg (from
// @ffmpeg-installer, the same binary the attack clips are made with) to raw RGBA frames, each run
// through the Node face pipeline once and cached as FrameEvidence under .cache/pad/evidence, so an
// evaluation re-run (or a threshold being tuned) costs no inference.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RgbaImage } from '../../core/vision/image';
import type { FacePipeline } from '../../core/vision/pipeline';
import { frameEvidence, patchEvidence, type FrameEvidence } from '../../core/liveness/evidence';
import { facePatch } from '../../core/vision/patch';
import { repoRoot } from '../support/shared';

export const padCache = join(repoRoot, '.cache', 'pad');
export const ffmpegPath: string = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;

/** Width and height of a clip, from ffmpeg's stream line. */
export async function clipSize(file: string): Promise<{ width: number; height: number }> {
  const out = await run(ffmpegPath, ['-hide_banner', '-i', file], true);
  const m = /Video: .*?(\d{2,5})x(\d{2,5})/.exec(out);
  if (!m) throw new Error(`ffmpeg found no video stream in ${file}.`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

function run(cmd: string, args: string[], allowFail = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 || allowFail ? resolve(err) : reject(new Error(`ffmpeg failed (${code}): ${err.slice(-500)}`))));
  });
}

/** Every `step`-th frame of a clip as RGBA, in order; `fps` is the clip's frame rate. */
export async function* clipFrames(file: string, step = 1): AsyncGenerator<{ index: number; image: RgbaImage }> {
  const { width, height } = await clipSize(file);
  const size = width * height * 4;
  const p = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  for await (const chunk of p.stdout as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= size) {
      const frame = pending.subarray(0, size);
      pending = pending.subarray(size);
      if (index % step === 0) yield { index, image: { width, height, data: new Uint8Array(frame) } };
      index++;
    }
  }
}

export interface ClipEvidence {
  clip: string;
  /** SHA-1 of the clip file the evidence was taken from. */
  source?: string;
  fps: number;
  /** Frame index in the clip of each analysed frame. */
  indices: number[];
  frames: FrameEvidence[];
}

/** Evidence of every `step`-th frame of a clip, from the cache when the clip has not changed. */
export async function clipEvidence(pipeline: () => Promise<FacePipeline>, file: string, fps: number, step: number): Promise<ClipEvidence> {
  const dir = join(padCache, 'evidence');
  mkdirSync(dir, { recursive: true });
  const cached = join(dir, `${basename(file)}.${step}.json`);
  const source = createHash('sha1').update(readFileSync(file)).digest('hex');
  // Keyed by the clip's content, not its time: a re-mounted ../shared touches every file. A cache
  // written before the key was kept is taken as it is when it is newer than the clip.
  const old = existsSync(cached) ? (JSON.parse(readFileSync(cached, 'utf8')) as ClipEvidence) : null;
  if (old && (old.source === source || (old.source === undefined && statSync(cached).mtimeMs >= statSync(file).mtimeMs))) {
    const e = { ...old, source };
    if (e.frames.every((f) => !f.face || f.face.patch)) return e;
    // Evidence cached before the face patch joined it: the patch depends on the pixels and the
    // landmarks only, so it is added from the decoded frames without running the models again.
    let k = 0;
    for await (const { index, image } of clipFrames(file, step)) {
      const f = e.frames[k];
      if (e.indices[k++] !== index) throw new Error(`${cached} does not match ${file}; delete it.`);
      if (f?.face && !f.face.patch) f.face.patch = patchEvidence(facePatch(image, f.face.landmarks));
    }
    writeFileSync(cached, JSON.stringify(e));
    return e;
  }
  const p = await pipeline();
  const out: ClipEvidence = { clip: basename(file), source, fps, indices: [], frames: [] };
  // The pipeline is deterministic: a frame identical to one seen (a still attack) gets the same evidence.
  const seen = new Map<string, FrameEvidence>();
  for await (const { index, image } of clipFrames(file, step)) {
    const key = createHash('sha1').update(image.data).digest('hex');
    let e = seen.get(key);
    if (!e) {
      e = frameEvidence(await p.analyse(image, { embed: 'primary', passive: true, eyes: true, patch: true }), 0);
      seen.set(key, e);
    }
    out.indices.push(index);
    out.frames.push({ ...e, at: Math.round((index * 1000) / fps) });
  }
  writeFileSync(cached, JSON.stringify(out, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v)));
  return out;
}
