// The kiosk's liveness setting judged over a visit's frames. One place maps the setting to the
// liveness rule, so the visit decision never reads a caller's verdict.
// Interim rule until core/liveness's judgeLiveness is committed: the passive score is the mean of the
// upper half of the frames that measured it (one frame swings widely on a real face, a photo stays
// low across frames); the challenge is a blink or a head turn and back, replayed from the frames.
import { MIN_PASSIVE_LIVENESS } from '../contract/api';

/**
 * What the visit rules read of one analysed frame: a structural subset of core/liveness's
 * FrameEvidence (which is assignable to it), so the contract's frames feed it as they are.
 */
export interface VisitFrame {
  /** Milliseconds on the visit's clock. */
  at: number;
  /** Faces the detector found. */
  faces: number;
  face?: {
    yaw: number;
    eyes?: { left: number; right: number };
    /** Passive liveness p(live), when the model ran. */
    passive?: number;
    template?: ArrayLike<number>;
  };
}

export type VisitLivenessMode = 'off' | 'passive' | 'challenge';

export interface VisitLiveness {
  live: boolean;
  /** Machine-readable, for the event log. */
  reason: string;
  /** A sentence the kiosk shows while it waits for better evidence. */
  advice: string;
}

/** Frames the passive score needs before it is trusted either way. */
export const PASSIVE_MIN_FRAMES = 5;
const EYES_OPEN = 0.6;
const EYES_CLOSED = 0.3;
const BLINK_MAX_MS = 2000;
const TURN_DEGREES = 12;
const RETURN_DEGREES = 8;

function passiveScore(frames: readonly VisitFrame[]): { score: number; count: number } {
  const scores = frames.flatMap((f) => (f.faces === 1 && f.face?.passive !== undefined ? [f.face.passive] : [])).sort((a, b) => b - a);
  if (scores.length === 0) return { score: 0, count: 0 };
  const upper = scores.slice(0, Math.ceil(scores.length / 2));
  return { score: upper.reduce((a, b) => a + b, 0) / upper.length, count: scores.length };
}

function challengePassed(frames: readonly VisitFrame[]): boolean {
  let openSeen = false;
  let closedAt: number | null = null;
  let startYaw: number | null = null;
  let turned = false;
  for (const f of [...frames].sort((a, b) => a.at - b.at)) {
    const face = f.faces === 1 ? f.face : undefined;
    if (!face) {
      openSeen = false;
      closedAt = null;
      startYaw = null;
      turned = false;
      continue;
    }
    if (face.eyes) {
      // The more open eye decides: the eye model misreads one eye on some faces (glasses, shadow).
      const open = Math.max(face.eyes.left, face.eyes.right);
      if (closedAt !== null && f.at - closedAt > BLINK_MAX_MS) closedAt = null;
      if (open < EYES_CLOSED) {
        if (openSeen && closedAt === null) closedAt = f.at;
      } else if (open > EYES_OPEN) {
        if (closedAt !== null) return true;
        openSeen = true;
      }
    }
    if (startYaw === null) startYaw = face.yaw;
    const away = Math.abs(face.yaw - startYaw);
    if (away >= TURN_DEGREES) turned = true;
    else if (turned && away <= RETURN_DEGREES) return true;
  }
  return false;
}

export function visitLiveness(frames: readonly VisitFrame[], mode: VisitLivenessMode): VisitLiveness {
  if (mode === 'off') return { live: true, reason: 'not-asked', advice: '' };
  if (mode === 'challenge') {
    return challengePassed(frames)
      ? { live: true, reason: 'challenge-passed', advice: '' }
      : { live: false, reason: 'challenge-pending', advice: 'Blink once, or turn your head slowly to one side and back.' };
  }
  const passive = passiveScore(frames);
  if (passive.count < PASSIVE_MIN_FRAMES) return { live: false, reason: 'passive-too-few-frames', advice: 'Please look straight at the camera for a moment.' };
  if (passive.score < MIN_PASSIVE_LIVENESS) return { live: false, reason: 'passive-low', advice: 'Please look straight at the camera, in good light.' };
  return { live: true, reason: 'passive-passed', advice: '' };
}
