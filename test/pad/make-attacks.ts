// Presentation-attack clips (ISO/IEC 30107-3 style), made with ffmpeg from the webcam clips in
// ../shared/media and written under .cache/pad/attacks (git-ignored; never committed). Each file is
// MJPEG in yuvj420p at 15 fps, so it can be played to Chromium's fake camera as well as decoded by
// the evaluation (test/eval/pad.ts). Attempts differ by the frame they start from.
//   still       one frame of person-a-live, held still
//   inplane     that frame moved, scaled and rotated in its own plane (a photo slid about by hand)
//   outofplane  that frame turned about its vertical axis, sweeping +-25 degrees of yaw and back
//   flipbook    two real frames of person A, eyes open and eyes closed, alternating (a replayed blink)
//   flipbook-hand  the same, the pictures also moving in plane as a hand-held flipbook does
//   replay      the whole live clip on a screen: downscaled, blurred, gamma, moire
// Usage: npx tsx test/pad/make-attacks.ts [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegPath, padCache } from './clips';
import { mediaRoot } from '../support/shared';

export const FPS = 15;
/** Seconds of each still-based attack clip (it loops on the camera, so one motion cycle is enough). */
const SECONDS = 6;
export const attacksDir = join(padCache, 'attacks');
export const ATTACK_TYPES = ['still', 'inplane', 'outofplane', 'flipbook', 'flipbook-hand', 'replay'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];

export interface Attack {
  type: AttackType;
  file: string;
  /** What it was made from: clip and frame(s). */
  source: string;
  /** For a replay, the frame the attempt starts from (the clip is the whole replay, looping). */
  startFrame: number;
}

const LIVE = join(mediaRoot, 'person-a-live.mjpeg');
const ENROLL = join(mediaRoot, 'person-a-enroll.mjpeg');
/** Still frames of person-a-live with the eyes open, spread over the clip. */
const STILL_FRAMES = Array.from({ length: 20 }, (_, k) => 8 + 14 * k);
/** Eyes-closed frames (eye model below 0.3) and an eyes-open frame near each: [clip, closed, open]. */
const FLIP_PAIRS: [string, number, number][] = [
  ...[0, 1, 2, 3, 4, 5].map((c): [string, number, number] => [LIVE, c, 9 + c]),
  ...[36, 37, 38, 39, 60, 61, 62, 63, 64, 65, 66, 67, 150, 153].map((c): [string, number, number] => [ENROLL, c, c < 50 ? 45 + (c - 36) : c < 100 ? 48 + (c - 60) : 144 + (c - 150)]),
];
const MJPEG = ['-r', String(FPS), '-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'mjpeg'];

function ffmpeg(args: string[]): void {
  const r = spawnSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

function frameOf(clip: string, n: number, out: string): string {
  if (!existsSync(out)) ffmpeg(['-i', clip, '-vf', `select=eq(n\\,${n})`, '-vsync', '0', '-frames:v', '1', out]);
  return out;
}

/** One still-photo attack clip (frame `n` of person-a-live held still), made when missing; its path. */
export function stillAttackClip(n = STILL_FRAMES[0]!): string {
  mkdirSync(join(attacksDir, 'frames'), { recursive: true });
  const file = join(attacksDir, `still-frame-${n}.mjpeg`);
  if (!existsSync(file)) ffmpeg(['-loop', '1', '-i', frameOf(LIVE, n, join(attacksDir, 'frames', `live-${n}.png`)), '-t', String(SECONDS), ...MJPEG, file]);
  return file;
}

/** Builds every attack clip that is missing (all with --force); returns the list. */
export function makeAttacks(force = false): Attack[] {
  mkdirSync(join(attacksDir, 'frames'), { recursive: true });
  const attacks: Attack[] = [];
  const make = (a: Attack, args: string[]) => {
    if (force || !existsSync(a.file)) ffmpeg([...args, ...MJPEG, a.file]);
    attacks.push(a);
  };
  const dur = ['-t', String(SECONDS)];
  for (const [k, n] of STILL_FRAMES.entries()) {
    const still = frameOf(LIVE, n, join(attacksDir, 'frames', `live-${n}.png`));
    const id = String(k).padStart(2, '0');
    const source = `person-a-live frame ${n}`;
    make({ type: 'still', file: join(attacksDir, `still-${id}.mjpeg`), source, startFrame: 0 }, ['-loop', '1', '-i', still, ...dur]);
    // A photo slid about, spun and brought closer and back (a similarity transform of the picture).
    const z = `1.12+0.1*sin(2*PI*on/${2.5 * FPS}+${k})`;
    const inplane = [
      `zoompan=z='${z}':x='iw/2-iw/zoom/2+18*sin(2*PI*on/${3 * FPS}+${k})':y='ih/2-ih/zoom/2+12*cos(2*PI*on/${2 * FPS})':d=${SECONDS * FPS}:s=400x300:fps=${FPS}`,
      `rotate=a='0.21*sin(2*PI*t/3.5+${k})':c=gray`,
    ].join(',');
    make({ type: 'inplane', file: join(attacksDir, `inplane-${id}.mjpeg`), source, startFrame: 0 }, ['-loop', '1', '-i', still, '-vf', inplane, ...dur]);
    // A printed photo turned about its vertical axis: yaw(t) sweeps +-25 degrees and back in 4 s.
    // Corners of the picture (a card 80% of the frame on a grey wall) projected with focal length W.
    const yaw = `(25*PI/180)*sin(2*PI*in/${4 * FPS}+${k % 4}*PI/2)`;
    const corner = (sx: number, sy: number, axis: 'x' | 'y') => {
      const X = `(${sx}*0.4*W)`;
      const depth = `(W+${X}*sin(${yaw}))`;
      return axis === 'x' ? `W/2+W*${X}*cos(${yaw})/${depth}` : `H/2+W*(${sy}*0.4*H)/${depth}`;
    };
    const persp = `perspective=x0='${corner(-1, -1, 'x')}':y0='${corner(-1, -1, 'y')}':x1='${corner(1, -1, 'x')}':y1='${corner(1, -1, 'y')}':x2='${corner(-1, 1, 'x')}':y2='${corner(-1, 1, 'y')}':x3='${corner(1, 1, 'x')}':y3='${corner(1, 1, 'y')}':sense=destination:eval=frame`;
    make({ type: 'outofplane', file: join(attacksDir, `outofplane-${id}.mjpeg`), source, startFrame: 0 }, ['-loop', '1', '-i', still, '-vf', `scale=320:240,pad=400:300:40:30:gray,${persp}`, ...dur]);
  }
  for (const [k, [clip, closed, open]] of FLIP_PAIRS.entries()) {
    const name = clip === LIVE ? 'live' : 'enroll';
    const o = frameOf(clip, open, join(attacksDir, 'frames', `${name}-${open}.png`));
    const c = frameOf(clip, closed, join(attacksDir, 'frames', `${name}-${closed}.png`));
    const id = String(k).padStart(2, '0');
    const source = `person-a-${name} frames ${open} (open) / ${closed} (closed)`;
    // One second open, 0.2 s closed, again and again: each picture shown for its frames in turn.
    const flip = ['-loop', '1', '-i', o, '-loop', '1', '-i', c, '-filter_complex', `[0][1]blend=all_expr='if(between(mod(N\\,18)\\,15\\,17)\\,B\\,A)'`];
    make({ type: 'flipbook', file: join(attacksDir, `flipbook-${id}.mjpeg`), source, startFrame: 0 }, [...flip, ...dur]);
    const hand = [...flip.slice(0, -1), `${flip.at(-1)},zoompan=z='1.1+0.03*sin(2*PI*on/${2 * FPS})':x='iw/2-iw/zoom/2+6*sin(2*PI*on/${1.7 * FPS}+${k})':y='ih/2-ih/zoom/2+4*cos(2*PI*on/${2.3 * FPS})':d=1:s=400x300:fps=${FPS},rotate=a='0.05*sin(2*PI*t/2.1+${k})':c=gray`];
    make({ type: 'flipbook-hand', file: join(attacksDir, `flipbook-hand-${id}.mjpeg`), source, startFrame: 0 }, [...hand, ...dur]);
  }
  // The live clips replayed on a screen filmed by the camera: resolution lost, blurred, a display
  // gamma, and moire from the screen's pixel grid beating against the sensor's.
  const screen = `scale=200:-2,scale=400:-2,gblur=sigma=1.1,eq=gamma=1.25:contrast=0.85:brightness=0.03,geq=lum='clip(lum(X\\,Y)+9*sin(0.85*X+0.35*Y)*sin(0.07*Y)\\,0\\,255)':cb='cb(X\\,Y)':cr='cr(X\\,Y)',scale=400:300`;
  for (const [name, clip] of [['live', LIVE], ['enroll', ENROLL]] as const) {
    const file = join(attacksDir, `replay-${name}.mjpeg`);
    for (let k = 0; k < 20; k++) {
      const a: Attack = { type: 'replay', file, source: `person-a-${name} on a screen`, startFrame: 7 + 15 * k };
      // -framerate: the MJPEG demuxer would read the 15 fps clip at 25 fps and drop frames.
      if (k === 0) make(a, ['-framerate', String(FPS), '-i', clip, '-vf', screen]);
      else attacks.push(a);
    }
  }
  writeFileSync(join(attacksDir, 'attacks.json'), JSON.stringify(attacks, null, 1));
  return attacks;
}

export function listAttacks(): Attack[] {
  const f = join(attacksDir, 'attacks.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Attack[]) : makeAttacks();
}

if (process.argv[1]?.endsWith('make-attacks.ts')) {
  const t0 = Date.now();
  const attacks = makeAttacks(process.argv.includes('--force'));
  console.log(`${attacks.length} attack attempts in ${attacksDir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
