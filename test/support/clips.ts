// Webcam clips for camera-path tests and benchmarks: the frames of an MJPEG file, and clips made
// from ../shared/media with ffmpeg (from @ffmpeg-installer, a dependency), cached under .cache/clips.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { RgbaImage } from '../../core/vision/image';
import { decodeImage } from './decode';
import { mediaRoot, repoRoot } from './shared';

export const clipCache = join(repoRoot, '.cache', 'clips');

/** The JPEG frames of an MJPEG file (concatenated JPEGs). */
export function mjpegFrames(file: string): Uint8Array[] {
  const b = readFileSync(file);
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 1 < b.length; i++) {
    if (start < 0 && b[i] === 0xff && b[i + 1] === 0xd8) start = i;
    else if (start >= 0 && b[i] === 0xff && b[i + 1] === 0xd9) {
      out.push(b.subarray(start, i + 2));
      start = -1;
    }
  }
  return out;
}

/** Decoded frames [from, from + count) of a clip. */
export function clipImages(file: string, count = Infinity, from = 0): RgbaImage[] {
  return mjpegFrames(file)
    .slice(from, from + count)
    .map((f, i) => decodeImage(f, `frame ${from + i} of ${file}`));
}

export function ffmpegPath(): string {
  return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export const TWO_FACES = { frames: 60, appearsAt: 20, leftWidth: 400, width: 760, height: 300 } as const;

/**
 * Person A (left, 400x300) from the first frame, and person B (right, 360x288 padded to 300 high)
 * walking in at frame `appearsAt` (black before): 760x300, as an MJPEG the fake camera can play too.
 */
export function twoFacesClip(): string {
  const out = join(clipCache, `two-faces-${TWO_FACES.appearsAt}-${TWO_FACES.frames}.mjpeg`);
  if (existsSync(out)) return out;
  mkdirSync(clipCache, { recursive: true });
  // The raw MJPEG demuxer reads both files at 25 frames/s; frame k of the output is frame k of A.
  const blank = (TWO_FACES.appearsAt / 25).toFixed(4);
  const graph = [
    `color=c=black:s=360x300:r=25:d=${blank}[blank]`,
    '[1:v]pad=360:300:0:6,setsar=1[b]',
    '[blank][b]concat=n=2:v=1:a=0[right]',
    '[0:v]setsar=1[left]',
    '[left][right]hstack=inputs=2,format=yuvj420p[out]',
  ].join(';');
  const tmp = `${out}.tmp.mjpeg`;
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', '-i', join(mediaRoot, 'person-a-live.mjpeg'), '-i', join(mediaRoot, 'person-b-live.mjpeg'), '-filter_complex', graph, '-map', '[out]', '-frames:v', String(TWO_FACES.frames), '-q:v', '3', '-f', 'mjpeg', tmp]);
  renameSync(tmp, out);
  return out;
}
