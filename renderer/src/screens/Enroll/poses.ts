// Which head poses enrollment asks for, and when a good camera frame is worth keeping as a sample.
// Pose angles come from the five landmarks (core/vision/quality: + yaw is the subject turning to
// their left, + pitch is looking up). Varied poses make the identity's templates cover the angles
// people actually present at a kiosk.

export type Pose = 'frontal' | 'left' | 'right' | 'up' | 'down';

export const POSES: readonly { pose: Pose; instruction: string }[] = [
  { pose: 'frontal', instruction: 'Look straight at the camera.' },
  { pose: 'left', instruction: 'Turn your head slightly to your left.' },
  { pose: 'right', instruction: 'Turn your head slightly to your right.' },
  { pose: 'up', instruction: 'Tilt your head slightly up.' },
  { pose: 'down', instruction: 'Tilt your head slightly down.' },
];

/** Samples an enrollment needs at least, and takes at most from the camera. */
export const MIN_SAMPLES = 5;
/** Degrees: inside this a face is frontal; beyond it (up to the quality limit of 25) it is turned. */
const TURN = 7;
const TILT = 6;
/** Between two samples, so a burst of near-identical frames does not fill the set. */
export const MIN_INTERVAL_MS = 400;
/**
 * When the asked-for pose does not come (a fixed camera, a recorded clip, a person who cannot turn),
 * after this long any good frame at a new angle is taken instead, so enrollment never stalls.
 */
export const VARIETY_AFTER_MS = 3000;
/** Degrees of yaw within which the first sample counts as facing the camera. */
const FIRST_MAX_YAW = 12;
/** Degrees a fallback sample must differ in yaw or pitch from every sample already taken. */
const MIN_ANGLE_STEP = 2;

/** Pose of (yaw, pitch) relative to the person's own frontal pose (landmark pose estimates carry a per-face bias). */
export function poseOf(yaw: number, pitch: number, frontal: Angles = { yaw: 0, pitch: 0 }): Pose {
  const y = yaw - frontal.yaw;
  const p = pitch - frontal.pitch;
  if (Math.abs(y) < TURN && Math.abs(p) < TILT) return 'frontal';
  if (Math.abs(y) >= Math.abs(p) * (TURN / TILT)) return y > 0 ? 'left' : 'right';
  return p > 0 ? 'up' : 'down';
}

export interface Angles {
  yaw: number;
  pitch: number;
}

export interface TakenPose extends Angles {
  pose: Pose;
}

export interface CaptureClock {
  now: number;
  /** When the last sample was taken (or capture started). */
  lastAt: number;
}

/** The first sample is the person's frontal pose; the others are named relative to it. */
export function posesOf(samples: readonly Angles[]): TakenPose[] {
  const frontal = samples[0];
  return samples.map((a, i) => ({ ...a, pose: i === 0 || !frontal ? 'frontal' : poseOf(a.yaw, a.pitch, frontal) }));
}

/** The pose still missing that the person is asked for next, or null when all are covered. */
export function nextPose(taken: readonly TakenPose[]): Pose | null {
  return POSES.find((p) => !taken.some((t) => t.pose === p.pose))?.pose ?? null;
}

/**
 * Whether a good frame at (yaw, pitch) becomes a sample: the first one when the person faces the
 * camera; then one that covers a missing pose, or, once capture has waited VARIETY_AFTER_MS for one,
 * any at a new angle, and after twice that any good frame at all.
 */
export function shouldTake(yaw: number, pitch: number, taken: readonly TakenPose[], clock: CaptureClock): boolean {
  if (taken.length >= MIN_SAMPLES) return false;
  if (clock.now - clock.lastAt < MIN_INTERVAL_MS) return false;
  const frontal = taken[0];
  if (!frontal) return Math.abs(yaw) < FIRST_MAX_YAW;
  const pose = poseOf(yaw, pitch, frontal);
  if (!taken.some((t) => t.pose === pose)) return true;
  const waited = clock.now - clock.lastAt;
  if (waited < VARIETY_AFTER_MS) return false;
  // A head that does not move at all still changes in expression and light over seconds.
  if (waited >= 2 * VARIETY_AFTER_MS) return true;
  return taken.every((t) => Math.abs(t.yaw - yaw) >= MIN_ANGLE_STEP || Math.abs(t.pitch - pitch) >= MIN_ANGLE_STEP);
}
