// The one liveness rule, run by the back end over the frames of a login attempt (and by the
// renderer over its own frames, so the guidance it shows is what the back end will decide):
//   1. the frames come from a camera, not a repeated picture (a still injected as video);
//   2. the challenge (a blink, or a head turn and back) is seen when replayed over the frames;
//   3. whatever moved out of the image plane did not move as one plane (a photo or screen turned);
//   4. the passive model's score over the frames reaches its bar.
// The caller sends measurements only; there is no field by which it can say "live".
import { replayChallenge, type ChallengeKind } from './challenge';
import { PATCH_TEXT_LENGTH, type FaceEvidence, type FrameEvidence } from './evidence';
import { passiveScore } from './passive';
import { facePlaneHomography, noseParallax } from './planarity';
import { surfaceResidual, type SurfaceFrame } from './surface';
import { base64ToBytes } from '../vision/base64';

export type LivenessReason = 'live' | 'no-face' | 'frozen' | 'no-challenge' | 'planar' | 'passive';

export const LIVENESS_REASON_TEXT: Record<LivenessReason, string> = {
  live: 'a live face',
  'no-face': 'no face was seen',
  frozen: 'the picture did not change between frames, as a photo or a still image does',
  'no-challenge': 'no blink or head turn was seen',
  planar: 'the face moved as a flat picture moves',
  passive: 'the camera did not see a live face clearly enough',
};

/**
 * Planarity, from the nose's parallax (planarity.ts noseParallax), every face frame against the most
 * frontal one. A frame shows depth when the nose left the face plane's homography by DEPTH
 * inter-ocular distances beyond SLOPE times the plane's own foreshortening: the landmark model's
 * error grows as a picture is turned (a photo turned 50-60 degrees foreshortens by 0.1-0.19 and its
 * nose wanders by up to half that), and a curled photo has some depth of its own, while a real nose
 * (about 0.3 inter-ocular distances in front of the plane) moves by 0.3 x the sine of the turn. The
 * attempt shows depth with MIN_FRAMES such frames. Without depth it is planar when the challenge was
 * passed by a head turn (a turn that only a picture makes) or when the face plane foreshortened by
 * TURNED on MIN_FRAMES frames (a picture turned or bent while blinking). DEPTH and SLOPE were set on
 * the tuning seeds of the attacks and the genuine clips only (npm run eval:pad prints every attempt's).
 */
export const PLANARITY = { depth: 0.035, slope: 0.75, turned: 0.05, minFrames: 2, surface: 0.2 } as const;
export type PlanarityOptions = { depth: number; slope: number; turned: number; minFrames: number; surface: number };

const NOT_MEASURED: PlanarityMeasure = { depthFrames: 0, turnedFrames: 0, parallax: null, ratio: null, maxForeshortening: 0, surface: null, surfaceFrames: 0, planar: false };

/**
 * The test on pixels (surface.ts), on a few frames only (each is a Levenberg-Marquardt fit): the
 * SURFACE_BY_POSE frames whose pose is farthest from the reference's, and the first frame of each of
 * the last SURFACE_BY_TIME whole seconds (a real face changes over time even while it holds its pose;
 * a photo does not). Both choices stay put as frames arrive, so the rule re-run on each new frame
 * fits few new pairs.
 */
const SURFACE_BY_POSE = 4;
const SURFACE_BY_TIME = 4;
const SURFACE_SECOND_MS = 1000;

/**
 * Among at least FROZEN_MIN_FRAMES face frames, half or more repeating the landmarks of one of the
 * REPEAT_WINDOW face frames before them exactly is a repeated picture: a camera's noise never gives
 * the same landmarks twice running, while a still (or two stills in turn) injected as video repeats
 * them once the tracker has settled. Only recent frames count: a looping clip repeats across loops.
 */
const FROZEN_MIN_FRAMES = 5;
const REPEAT_WINDOW = 3;

export interface PlanarityMeasure {
  /** Frames whose nose showed depth (parallax beyond the plane's foreshortening). */
  depthFrames: number;
  /** Frames whose face plane foreshortened beyond TURNED. */
  turnedFrames: number;
  /** The second-largest nose parallax beyond the plane's foreshortening, inter-ocular distances (null with fewer than two frames). */
  parallax: number | null;
  /** That parallax over DEPTH: 1 and above is depth a plane cannot show (null when not measured). */
  ratio: number | null;
  /** Largest foreshortening of the face plane seen, inter-ocular distances. */
  maxForeshortening: number;
  /** The second-largest share of the face's picture that no homography explains (surface.ts; null when not measured). */
  surface: number | null;
  /** Frames whose picture no homography explains (residual at or above SURFACE). */
  surfaceFrames: number;
  planar: boolean;
}

export interface LivenessJudgement {
  live: boolean;
  reason: LivenessReason;
  details: {
    frames: number;
    faceFrames: number;
    distinctFrames: number;
    challenge: ChallengeKind | null;
    passive: number;
    passiveFrames: number;
    planarity: PlanarityMeasure;
  };
}

export interface LivenessOptions {
  kinds?: readonly ChallengeKind[];
  planarity?: PlanarityOptions;
}

function oneFace(frames: readonly FrameEvidence[]) {
  return frames.filter((f) => f.faces === 1 && f.face).map((f) => f.face!);
}

/** The face frames with their times (the pixel test picks frames by time). */
function oneFaceAt(frames: readonly FrameEvidence[]) {
  return frames.filter((f) => f.faces === 1 && f.face).map((f) => ({ ...f.face!, at: f.at }));
}

/**
 * Each face's landmarks averaged with its neighbours' (three consecutive face frames): the landmark
 * model works on a 64-pixel crop and jitters by about 1% of the face from frame to frame, as much as
 * a turned picture deforms; the average keeps the motion and cuts the jitter.
 */
function smoothed<F extends FaceEvidence>(faces: readonly F[]): (Omit<F, 'landmarks'> & { landmarks: Float64Array; measured: F['landmarks'] })[] {
  return faces.map((f, i) => {
    const group = faces.slice(Math.max(0, i - 1), i + 2);
    const lm = new Float64Array(f.landmarks.length);
    for (const g of group) for (let k = 0; k < lm.length; k++) lm[k]! += (g.landmarks[k] as number) / group.length;
    return { ...f, landmarks: lm, measured: f.landmarks };
  });
}

type Smoothed = ReturnType<typeof smoothed<FaceEvidence & { at: number }>>[number];

function surfaceFrame(f: Smoothed): SurfaceFrame | null {
  const p = f.patch;
  if (!p || p.luma.length !== PATCH_TEXT_LENGTH) return null;
  const luma = base64ToBytes(p.luma);
  // The frame's own landmarks, not the smoothed ones: the patch was cut about them, and in a quick
  // turn the average of three frames is no frame's pose (a poor start for the fit).
  return { patch: { x: p.x, y: p.y, size: p.size, luma }, landmarks: f.measured };
}

/**
 * Fitted residuals by a 64-bit digest of the pair (patches and landmarks): the rule runs again on every
 * new frame of an attempt and meets the same pairs. A digest, not the text, so that no picture of a
 * face outlives the call that judged it; CACHED entries at most (an attempt needs a few dozen).
 */
const CACHED = 256;
const residuals = new Map<string, number | null>();
/** Two 32-bit lanes over the text (FNV-1a, and FNV-1a with a shift mixed in): a collision would cost one wrong residual, never a secret. */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(16)}${(b >>> 0).toString(16)}`;
}
function residualOf(ref: Smoothed, f: Smoothed): number | null {
  const key = digest(`${ref.patch?.luma}|${f.patch?.luma}|${ref.measured.join()}|${f.measured.join()}`);
  if (residuals.has(key)) return residuals.get(key)!;
  const a = surfaceFrame(ref);
  const b = surfaceFrame(f);
  const h = a && b ? facePlaneHomography(ref.measured, f.measured) : null;
  const r = a && b && h ? surfaceResidual(a, b, h) : null;
  if (residuals.size >= CACHED) residuals.clear();
  residuals.set(key, r);
  return r;
}

/** The frames the pixel test looks at (see SURFACE_BY_POSE). */
function surfaceCandidates(faces: readonly Smoothed[], ref: Smoothed): Smoothed[] {
  const others = faces.filter((f) => f !== ref && f.patch);
  const pose = (f: Smoothed) => Math.abs(f.yaw - ref.yaw) + Math.abs(f.pitch - ref.pitch);
  const byPose = [...others].sort((a, b) => pose(b) - pose(a)).slice(0, SURFACE_BY_POSE);
  const firsts = others.filter((f, i) => i === 0 || Math.floor(f.at / SURFACE_SECOND_MS) !== Math.floor(others[i - 1]!.at / SURFACE_SECOND_MS));
  return [...new Set([...byPose, ...firsts.slice(-SURFACE_BY_TIME)])];
}

/** Every face frame against the most frontal one: did the nose move out of the face plane, and did the plane turn? */
export function measurePlanarity(frames: readonly FrameEvidence[], options: PlanarityOptions = PLANARITY, challenge: ChallengeKind | null = null): PlanarityMeasure {
  const faces = smoothed(oneFaceAt(frames));
  if (faces.length < 2) return NOT_MEASURED;
  const ref = faces.reduce((a, b) => (Math.abs(b.yaw) + Math.abs(b.pitch) < Math.abs(a.yaw) + Math.abs(a.pitch) ? b : a));
  const beyond: number[] = [];
  let turnedFrames = 0;
  let maxForeshortening = 0;
  for (const f of faces) {
    if (f === ref) continue;
    const p = noseParallax(ref.landmarks, f.landmarks, ref.interocular);
    if (!p) continue;
    beyond.push(p.parallax - options.slope * p.foreshortening);
    maxForeshortening = Math.max(maxForeshortening, p.foreshortening);
    if (p.foreshortening >= options.turned) turnedFrames++;
  }
  beyond.sort((a, b) => b - a);
  const depthFrames = beyond.filter((x) => x >= options.depth).length;
  const parallax = beyond[Math.min(options.minFrames, beyond.length) - 1] ?? null;
  const depth = depthFrames >= options.minFrames;
  const surfaces = surfaceCandidates(faces, ref)
    .map((f) => residualOf(ref, f))
    .filter((r): r is number => r !== null)
    .sort((a, b) => b - a);
  const surfaceFrames = surfaces.filter((r) => r >= options.surface).length;
  return {
    depthFrames,
    turnedFrames,
    parallax,
    ratio: parallax === null ? null : parallax / options.depth,
    maxForeshortening,
    surface: surfaces[Math.min(options.minFrames, surfaces.length) - 1] ?? null,
    surfaceFrames,
    planar: surfaceFrames < options.minFrames || (!depth && (challenge === 'turn' || turnedFrames >= options.minFrames)),
  };
}

/** Face frames whose landmarks differ from each of the REPEAT_WINDOW face frames before them. */
function distinctLandmarkSets(frames: readonly FrameEvidence[]): number {
  const recent: string[] = [];
  let distinct = 0;
  for (const f of oneFace(frames)) {
    let key = '';
    for (let i = 0; i < f.landmarks.length; i++) key += `${Math.round((f.landmarks[i] as number) * 100)},`;
    if (!recent.includes(key)) distinct++;
    recent.push(key);
    if (recent.length > REPEAT_WINDOW) recent.shift();
  }
  return distinct;
}

export function judgeLiveness(frames: readonly FrameEvidence[], options: LivenessOptions = {}): LivenessJudgement {
  const faceFrames = oneFace(frames).length;
  const distinctFrames = distinctLandmarkSets(frames);
  const challenge = replayChallenge(frames, options.kinds);
  const passive = passiveScore(frames);
  const frozen = faceFrames >= FROZEN_MIN_FRAMES && distinctFrames * 2 <= faceFrames;
  // The plane fits are the costly part: skipped when an earlier test has already refused.
  const planarity = faceFrames === 0 || frozen || !challenge ? NOT_MEASURED : measurePlanarity(frames, options.planarity, challenge);
  const reason: LivenessReason =
    faceFrames === 0 ? 'no-face' : frozen ? 'frozen' : !challenge ? 'no-challenge' : planarity.planar ? 'planar' : !passive.live ? 'passive' : 'live';
  return {
    live: reason === 'live',
    reason,
    details: { frames: frames.length, faceFrames, distinctFrames, challenge, passive: passive.score, passiveFrames: passive.frames, planarity },
  };
}
