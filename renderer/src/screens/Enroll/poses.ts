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
export const VARIETY_AFTER_MS = 5000;
/** Degrees a fallback sample must differ in yaw or pitch from every sample already taken. */
const MIN_ANGLE_STEP = 2;

export function poseOf(yaw: number, pitch: number): Pose {
  if (Math.abs(yaw) < TURN && Math.abs(pitch) < TILT) return 'frontal';
  if (Math.abs(yaw) >= Math.abs(pitch) * (TURN / TILT)) return yaw > 0 ? 'left' : 'right';
  return pitch > 0 ? 'up' : 'down';
}

export interface TakenPose {
  pose: Pose;
  yaw: number;
  pitch: number;
}

export interface CaptureClock {
  now: number;
  /** When the last sample was taken (or capture started). */
  lastAt: number;
}

/** The pose still missing that the person is asked for next, or null when all are covered. */
export function nextPose(taken: readonly TakenPose[]): Pose | null {
  return POSES.find((p) => !taken.some((t) => t.pose === p.pose))?.pose ?? null;
}

/**
 * Whether a good frame at (yaw, pitch) becomes a sample: it covers a missing pose, or capture has
 * waited VARIETY_AFTER_MS for one and this frame is at a new angle.
 */
export function shouldTake(yaw: number, pitch: number, taken: readonly TakenPose[], clock: CaptureClock): boolean {
  if (taken.length >= MIN_SAMPLES) return false;
  if (clock.now - clock.lastAt < MIN_INTERVAL_MS) return false;
  const pose = poseOf(yaw, pitch);
  if (!taken.some((t) => t.pose === pose)) return true;
  if (clock.now - clock.lastAt < VARIETY_AFTER_MS) return false;
  return taken.every((t) => Math.abs(t.yaw - yaw) >= MIN_ANGLE_STEP || Math.abs(t.pitch - pitch) >= MIN_ANGLE_STEP);
}
