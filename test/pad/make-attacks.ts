// Presentation-attack clips (ISO/IEC 30107-3 style), made from the webcam clips in ../shared/media
// and written under .cache/pad/attacks (git-ignored; never committed). Each file is MJPEG in
// yuvj420p at 15 fps, so it can be played to Chromium's fake camera, given to `normface verify
// --video`, and decoded by the evaluation (test/eval/pad.ts). Every photo attack is drawn by
// test/pad/card.ts from parameters picked at random from wide ranges by its seed, so that the rule is
// measured on attacks it was not tuned on: seeds below HELD_OUT_FROM tune, the rest only measure.
//   still          a photo of A held still (some digital, some with camera noise), possibly turned
//   inplane        a photo slid, spun and brought closer in its own plane
//   yaw / pitch    a photo turned about the vertical / horizontal axis up to 60 degrees and back in 1-6 s
//   bent           a photo curled as a cylinder, turned the same way
//   flipbook       two real frames of A, eyes open and closed, alternating as stills (a replayed blink)
//   flipbook-hand  the same held by a moving hand
//   replay         the whole live clip on a screen: downscaled, blurred, gamma, moire
// Every photo attack also draws its light (brightness, white balance), scale, focal length, paper
// grain, a hand holding it (half of them), motion blur and camera noise.
// Usage: npx tsx test/pad/make-attacks.ts [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ffmpegPath, padCache } from './clips';
import { mediaRoot } from '../support/shared';
import { seededRandom } from '../../native-train/prng';
import type { RgbaImage } from '../../core/vision/image';
import { paintHand, paperTexture, renderFrame, type CardLook, type CardPose } from './card';

export const FPS = 15;
export const attacksDir = join(padCache, 'attacks');
export const ATTACK_TYPES = ['still', 'inplane', 'yaw', 'pitch', 'bent', 'flipbook', 'flipbook-hand', 'replay'] as const;
/** Seeded attempts per photo attack type; seeds from HELD_OUT_FROM on are never looked at while tuning. */
export const SEEDS = 40;
export const HELD_OUT_FROM = 20;
export type AttackType = (typeof ATTACK_TYPES)[number];

export interface Attack {
  type: AttackType;
  file: string;
  /** What it was made from: clip and frame(s). */
  source: string;
  /** For a replay, the frame the attempt starts from (the clip is the whole replay, looping). */
  startFrame: number;
  /** The seed its parameters were drawn from (replays: the start frame's number). */
  seed: number;
  /** Whether the seed is in the held-back half (never used for tuning). */
  heldOut: boolean;
  /** The parameters drawn, for the report. */
  params?: Record<string, number | string | boolean>;
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
  // A fresh checkout has no cache folder yet.
  mkdirSync(dirname(out), { recursive: true });
  if (!existsSync(out)) ffmpeg(['-i', clip, '-vf', `select=eq(n\\,${n})`, '-vsync', '0', '-frames:v', '1', out]);
  return out;
}

/** A picture's pixels (PNG decoded by ffmpeg), cached per file. */
const pictures = new Map<string, RgbaImage>();
function picture(file: string): RgbaImage {
  let p = pictures.get(file);
  if (!p) {
    const probe = spawnSync(ffmpegPath, ['-hide_banner', '-i', file], { encoding: 'utf8' });
    const m = /Video: .*?(\d{2,5})x(\d{2,5})/.exec(probe.stderr);
    if (!m) throw new Error(`ffmpeg found no picture in ${file}.`);
    const r = spawnSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`ffmpeg could not decode ${file}.`);
    p = { width: Number(m[1]), height: Number(m[2]), data: new Uint8Array(r.stdout) };
    pictures.set(file, p);
  }
  return p;
}

/**
 * Encodes RGBA frames (width x height) as the MJPEG the fake camera plays. The ffmpeg from npm (2018)
 * guesses a file's format by probing, and now and then a short MJPEG ties with another format and is
 * refused ("Invalid data"): such a file is encoded again at another quality until it probes as MJPEG.
 */
function encode(frames: Uint8Array[], width: number, height: number, out: string): void {
  const input = Buffer.concat(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  for (const q of [3, 4, 5, 2]) {
    const mjpeg = MJPEG.map((a, i) => (MJPEG[i - 1] === '-q:v' ? String(q) : a));
    const r = spawnSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(FPS), '-i', '-', ...mjpeg, out], { input, maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`ffmpeg could not encode ${out}: ${r.stderr.toString()}`);
    if (/Video: mjpeg/.test(spawnSync(ffmpegPath, ['-hide_banner', '-i', out], { encoding: 'utf8' }).stderr)) return;
  }
  throw new Error(`ffmpeg cannot read back the MJPEG it wrote to ${out}.`);
}

export type PhotoAttack = Exclude<AttackType, 'replay'>;
const W = 400;
const H = 300;

/** One photo attack's parameters, drawn from its type and seed, and its frames' poses over time. */
function draw(type: PhotoAttack, seed: number) {
  const random = seededRandom(1_000_003 * (ATTACK_TYPES.indexOf(type) + 1) + seed);
  const between = (a: number, b: number) => a + (b - a) * random();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const flip = type === 'flipbook' || type === 'flipbook-hand' ? pick(FLIP_PAIRS) : null;
  const still = flip ? null : pick(STILL_FRAMES);
  const brightness = between(0.6, 1.35);
  const params: Record<string, number | string | boolean> = {
    source: flip ? `${flip[0] === LIVE ? 'person-a-live' : 'person-a-enroll'} frames ${flip[2]} (open) / ${flip[1]} (closed)` : `person-a-live frame ${still}`,
    scale: between(0.6, 1.3),
    focal: between(0.8, 1.6) * W,
    brightness,
    warmth: between(-0.15, 0.15),
    background: Math.round(between(60, 200)),
    grain: between(0, 10),
    hand: random() < 0.5 ? pick(['left', 'right', 'bottom'] as const) : 'none',
    reach: between(0.15, 0.4),
    blur: random() < 0.5,
    // Some stills are injected digitally (exact repeats), the rest are filmed (noise on every frame).
    noise: (type === 'still' || type === 'flipbook') && random() < 0.5 ? 0 : between(0.5, 3),
    period: between(1, 6),
    angle: type === 'still' ? between(-20, 20) : between(15, 60),
    sides: pick(['one', 'both'] as const),
    sign: pick([-1, 1] as const),
    bend: type === 'bent' ? pick([-1, 1] as const) * between(0.3, 1.2) : 0,
    bendAxis: pick(['vertical', 'horizontal'] as const),
    turnAxis: type === 'pitch' ? 'pitch' : type === 'yaw' ? 'yaw' : pick(['yaw', 'pitch'] as const),
    openSeconds: between(0.6, 1.5),
    closedSeconds: between(0.1, 0.4),
    phase: between(0, 2 * Math.PI),
  };
  const P = params.period as number;
  const cycle = flip ? (params.openSeconds as number) + (params.closedSeconds as number) : type === 'still' ? 2 : P;
  const seconds = cycle * Math.ceil(2 / cycle);
  // A hand never holds a picture perfectly still: a slow tremor of a pixel or two and a fraction of a degree.
  const tremor = type === 'still' || type === 'flipbook' ? 0 : 1;
  const ph = params.phase as number;
  const pose = (t: number): CardPose => {
    const base: CardPose = {
      yaw: 0,
      pitch: 0,
      roll: tremor * 0.6 * Math.sin(2 * Math.PI * t * 0.7 + ph),
      tx: tremor * 2 * Math.sin(2 * Math.PI * t * 0.9 + 2 * ph),
      ty: tremor * 1.5 * Math.cos(2 * Math.PI * t * 1.1 + ph),
      scale: params.scale as number,
    };
    const w = (2 * Math.PI * t) / P;
    switch (type) {
      case 'still':
        return { ...base, yaw: params.angle as number };
      case 'inplane':
        return { ...base, tx: 40 * Math.sin(w + ph), ty: 25 * Math.cos(w), roll: 30 * (params.angle as number) / 60 * Math.sin(w + 2 * ph), scale: base.scale * (1 + 0.15 * Math.sin(w + 3 * ph)) };
      case 'flipbook-hand':
        return { ...base, tx: 10 * Math.sin(w + ph), ty: 6 * Math.cos(w), roll: 5 * Math.sin(w + 2 * ph) };
      case 'flipbook':
        return base;
      default: {
        // Turned away and back (to one side), or to one side and then the other.
        const a = (params.angle as number) * (params.sides === 'one' ? (params.sign as number) * Math.sin(w / 2) ** 2 : Math.sin(w));
        return params.turnAxis === 'yaw' ? { ...base, yaw: a } : { ...base, pitch: a };
      }
    }
  };
  return { params, seconds, pose, flip, still, random };
}

/** One photo attack's clip, made when missing (or with `force`). */
export function makePhotoAttack(type: PhotoAttack, seed: number, force = false): Attack {
  const file = join(attacksDir, `${type}-${String(seed).padStart(2, '0')}.mjpeg`);
  const { params, seconds, pose, flip, still, random } = draw(type, seed);
  const attack: Attack = { type, file, source: params.source as string, startFrame: 0, seed, heldOut: seed >= HELD_OUT_FROM, params };
  if (!force && existsSync(file)) return attack;
  const frameFile = (clip: string, n: number) => frameOf(clip, n, join(attacksDir, 'frames', `${clip === LIVE ? 'live' : 'enroll'}-${n}.png`));
  const sources = flip ? [picture(frameFile(flip[0], flip[2])), picture(frameFile(flip[0], flip[1]))] : [picture(frameFile(LIVE, still!))];
  const cards = sources.map((src) => {
    const card = paperTexture(src, params.grain as number, random);
    if (params.hand !== 'none') paintHand(card, src.width, src.height, params.hand as 'left' | 'right' | 'bottom', params.reach as number, random);
    return card;
  });
  const warm = params.warmth as number;
  const b = params.brightness as number;
  const look: CardLook = {
    width: W,
    height: H,
    focal: params.focal as number,
    bend: params.bend as number,
    bendAxis: params.bendAxis as 'vertical' | 'horizontal',
    gains: [b * (1 + warm), b, b * (1 - warm)],
    background: params.background as number,
    sensorNoise: params.noise as number,
  };
  const frames: Uint8Array[] = [];
  const count = Math.round(seconds * FPS);
  const open = params.openSeconds as number;
  const cycle = open + (params.closedSeconds as number);
  for (let n = 0; n < count; n++) {
    const t = n / FPS;
    const card = flip && t % cycle >= open ? cards[1]! : cards[0]!;
    // Motion blur: the card drawn at three instants across a 1/30 s exposure.
    const poses = params.blur && type !== 'still' && type !== 'flipbook' ? [-1, 0, 1].map((d) => pose(t + d / 60)) : [pose(t)];
    frames.push(renderFrame(card, sources[0]!.width, sources[0]!.height, poses, look, random));
  }
  encode(frames, W, H, file);
  return attack;
}

/** Builds every attack clip that is missing (all with --force); returns the list. */
export function makeAttacks(force = false, seeds = SEEDS, onProgress?: (message: string) => void): Attack[] {
  mkdirSync(join(attacksDir, 'frames'), { recursive: true });
  const attacks: Attack[] = [];
  for (const type of ATTACK_TYPES) {
    if (type === 'replay') continue;
    onProgress?.(`making ${type} attacks...`);
    for (let seed = 0; seed < seeds; seed++) attacks.push(makePhotoAttack(type, seed, force));
  }
  // The live clips replayed on a screen filmed by the camera: resolution lost, blurred, a display
  // gamma, and moire from the screen's pixel grid beating against the sensor's.
  const screen = `scale=200:-2,scale=400:-2,gblur=sigma=1.1,eq=gamma=1.25:contrast=0.85:brightness=0.03,geq=lum='clip(lum(X\\,Y)+9*sin(0.85*X+0.35*Y)*sin(0.07*Y)\\,0\\,255)':cb='cb(X\\,Y)':cr='cr(X\\,Y)',scale=400:300`;
  for (const [name, clip] of [['live', LIVE], ['enroll', ENROLL]] as const) {
    const file = join(attacksDir, `replay-${name}.mjpeg`);
    // -framerate: the MJPEG demuxer would read the 15 fps clip at 25 fps and drop frames.
    if (force || !existsSync(file)) ffmpeg(['-framerate', String(FPS), '-i', clip, '-vf', screen, ...MJPEG, file]);
    for (let k = 0; k < 20; k++) {
      const seed = name === 'live' ? k : 20 + k;
      attacks.push({ type: 'replay', file, source: `person-a-${name} on a screen`, startFrame: 7 + 15 * k, seed, heldOut: k >= 10 });
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
  const attacks = makeAttacks(process.argv.includes('--force'), SEEDS, console.log);
  console.log(`${attacks.length} attack attempts in ${attacksDir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
