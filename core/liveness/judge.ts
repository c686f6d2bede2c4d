// The one liveness rule, run by the back end over the frames of a login attempt (and by the
// renderer over its own frames, so the guidance it shows is what the back end will decide):
//   1. the frames come from a camera, not a repeated picture (a still injected as video);
//   2. the challenge (a blink, or a head turn and back) is seen when replayed over the frames;
//   3. whatever moved out of the image plane did not move as one plane (a photo or screen turned);
//   4. the passive model's score over the frames reaches its bar.
// The caller sends measurements only; there is no field by which it can say "live".
import { replayChallenge, type ChallengeKind } from './challenge';
import type { FaceEvidence, FrameEvidence } from './evidence';
import { passiveScore } from './passive';
import { planeFit } from './planarity';

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
 * Planarity thresholds, in inter-ocular distances, tuned on the genuine clips person-a-enroll and
 * person-a-live only (npm run eval:pad prints them): a frame whose rigid landmarks moved beyond a
 * similarity by DEFORMED from the reference is "deformed" (the landmark model's jitter on a still
 * face stays under about 0.015 once three frames are averaged); with at least MIN_DEFORMED of them,
 * the attempt is planar when the median homography residual / deformation ratio is under
 * PLANAR_RATIO. Genuine windows of 2-8 s (every 0.4 s of both clips) measured 0.48 and up, so the
 * threshold sits at 0.40; photos turned +-25 degrees measured a median of 0.39 (max 0.56): the test
 * alone catches about half of their windows, not all (the challenge and the passive score do the rest).
 */
export const PLANARITY = { deformed: 0.02, minDeformed: 3, planarRatio: 0.4 } as const;
export type PlanarityOptions = { deformed: number; minDeformed: number; planarRatio: number };

/** Fewer distinct landmark sets than this among at least FROZEN_MIN_FRAMES frames is a repeated picture. */
const FROZEN_DISTINCT = 3;
const FROZEN_MIN_FRAMES = 5;

export interface PlanarityMeasure {
  /** Frames that moved out of the reference's plane beyond DEFORMED. */
  deformedFrames: number;
  /** Median homography residual / similarity residual over those frames (null when none). */
  ratio: number | null;
  /** Largest similarity residual seen, inter-ocular distances. */
  maxDeformation: number;
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

/**
 * Each face's landmarks averaged with its neighbours' (three consecutive face frames): the landmark
 * model works on a 64-pixel crop and jitters by about 1% of the face from frame to frame, as much as
 * a turned picture deforms; the average keeps the motion and cuts the jitter.
 */
function smoothed(faces: readonly FaceEvidence[]): (Omit<FaceEvidence, 'landmarks'> & { landmarks: Float64Array })[] {
  return faces.map((f, i) => {
    const group = faces.slice(Math.max(0, i - 1), i + 2);
    const lm = new Float64Array(f.landmarks.length);
    for (const g of group) for (let k = 0; k < lm.length; k++) lm[k]! += (g.landmarks[k] as number) / group.length;
    return { ...f, landmarks: lm };
  });
}

/** Every face frame against the most frontal one: how much moved out of plane, and whether a plane explains it. */
export function measurePlanarity(frames: readonly FrameEvidence[], options: PlanarityOptions = PLANARITY): PlanarityMeasure {
  const faces = smoothed(oneFace(frames));
  const none: PlanarityMeasure = { deformedFrames: 0, ratio: null, maxDeformation: 0, planar: false };
  if (faces.length < 2) return none;
  const ref = faces.reduce((a, b) => (Math.abs(b.yaw) + Math.abs(b.pitch) < Math.abs(a.yaw) + Math.abs(a.pitch) ? b : a));
  const ratios: number[] = [];
  let maxDeformation = 0;
  for (const f of faces) {
    if (f === ref) continue;
    const fit = planeFit(ref.landmarks, f.landmarks, ref.interocular);
    if (!fit) continue;
    maxDeformation = Math.max(maxDeformation, fit.deformation);
    if (fit.deformation >= options.deformed) ratios.push(fit.residual / fit.deformation);
  }
  if (ratios.length === 0) return { ...none, maxDeformation };
  ratios.sort((a, b) => a - b);
  const ratio = ratios[Math.floor(ratios.length / 2)]!;
  return { deformedFrames: ratios.length, ratio, maxDeformation, planar: ratios.length >= options.minDeformed && ratio < options.planarRatio };
}

function distinctLandmarkSets(frames: readonly FrameEvidence[]): number {
  const seen = new Set<string>();
  for (const f of oneFace(frames)) {
    let key = '';
    for (let i = 0; i < f.landmarks.length; i++) key += `${Math.round((f.landmarks[i] as number) * 100)},`;
    seen.add(key);
    if (seen.size >= FROZEN_DISTINCT) break;
  }
  return seen.size;
}

const NOT_MEASURED: PlanarityMeasure = { deformedFrames: 0, ratio: null, maxDeformation: 0, planar: false };

export function judgeLiveness(frames: readonly FrameEvidence[], options: LivenessOptions = {}): LivenessJudgement {
  const faceFrames = oneFace(frames).length;
  const distinctFrames = distinctLandmarkSets(frames);
  const challenge = replayChallenge(frames, options.kinds);
  const passive = passiveScore(frames);
  const frozen = faceFrames >= FROZEN_MIN_FRAMES && distinctFrames < FROZEN_DISTINCT;
  // The plane fits are the costly part: skipped when an earlier test has already refused.
  const planarity = faceFrames === 0 || frozen || !challenge ? NOT_MEASURED : measurePlanarity(frames, options.planarity);
  const reason: LivenessReason =
    faceFrames === 0 ? 'no-face' : frozen ? 'frozen' : !challenge ? 'no-challenge' : planarity.planar ? 'planar' : !passive.live ? 'passive' : 'live';
  return {
    live: reason === 'live',
    reason,
    details: { frames: frames.length, faceFrames, distinctFrames, challenge, passive: passive.score, passiveFrames: passive.frames, planarity },
  };
}
