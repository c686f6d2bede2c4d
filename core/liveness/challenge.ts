// The active half of the liveness check: a still photo or a replayed face passes the passive model
// too often, so the person must do something on request: blink, or turn the head and back. One
// implementation: the renderer feeds it frame by frame for live guidance, and the back end replays
// the attempt's evidence through it (judgeLiveness) before deciding. Works on whatever frame rate
// the camera view reaches (a blink is seen as open -> closed -> open frames).
import type { FaceEvidence, FrameEvidence } from './evidence';
import { deformation } from './planarity';

export type ChallengeKind = 'blink' | 'turn';

export const CHALLENGE_TEXT: Record<ChallengeKind, string> = {
  blink: 'Blink once.',
  turn: 'Turn your head slowly to one side, then back.',
};

/** Eye-open probability above which the eyes count as open, and below which as closed. */
export const EYES_OPEN = 0.6;
export const EYES_CLOSED = 0.3;
/** A blink must reopen within this time (longer is sleeping, or a photo swapped in). */
export const BLINK_MAX_MS = 2000;
/** Closed eyes must be seen on at least this many consecutive frames: one frame is the eye model's misreading as often as a blink. */
export const BLINK_MIN_CLOSED_FRAMES = 2;
/**
 * Around a blink (this long before the eyes close and after they reopen) the face's shape and pose
 * must hold still within these limits: a real blink moves the eyelids only, while a picture warped,
 * bent or turned until the eye model reads its eyes as closed changes its width, height or pose.
 * Genuine blinks of the three clips moved at most 0.054 (log width), 0.105 (log height), 4.7 degrees
 * of yaw and 0.072 inter-ocular distances of shape (npm run eval:pad prints them).
 */
export const BLINK_STEADY = { ms: 400, logSize: 0.12, degrees: 10, shape: 0.08 } as const;
/** Head turn: yaw must leave the starting pose by this many degrees... */
export const TURN_DEGREES = 12;
/** ...and come back within this many. */
export const RETURN_DEGREES = 8;

/** How far `face` is from `ref` in size, pose and shape (the similarity residual of the rigid landmarks). */
function unsteady(ref: FaceEvidence, face: FaceEvidence): boolean {
  const L = BLINK_STEADY;
  if (Math.abs(Math.log(face.interocular / ref.interocular)) > L.logSize || Math.abs(Math.log(face.faceHeight / ref.faceHeight)) > L.logSize) return true;
  if (Math.abs(face.yaw - ref.yaw) > L.degrees || Math.abs(face.pitch - ref.pitch) > L.degrees || Math.abs(face.roll - ref.roll) > L.degrees) return true;
  return deformation(ref.landmarks, face.landmarks, ref.interocular) > L.shape;
}

type Seen = { at: number; face: FaceEvidence };

export class LivenessChallenge {
  private passedBy: ChallengeKind | null = null;
  private openSeen = false;
  /** The current run of closed-eye frames. */
  private closed: Seen[] = [];
  /** A closure that reopened, waiting for the steady stretch after it to be seen. */
  private pending: { from: number; to: number } | null = null;
  /** Face frames of the last few seconds, for the steadiness check around a blink. */
  private recent: Seen[] = [];
  private startYaw: number | null = null;
  private turned = false;

  constructor(readonly kinds: readonly ChallengeKind[] = ['blink', 'turn']) {}

  get passed(): boolean {
    return this.passedBy !== null;
  }

  get passedWith(): ChallengeKind | null {
    return this.passedBy;
  }

  /** What to ask of the person, as one sentence. */
  get instruction(): string {
    if (this.passedBy) return 'Thank you: hold still for a moment.';
    return this.kinds.length === 2 ? 'Blink once, or turn your head slowly to one side and back.' : CHALLENGE_TEXT[this.kinds[0] ?? 'blink'];
  }

  /** Feeds one frame; a frame without exactly one face restarts the gesture. */
  observe(frame: FrameEvidence): void {
    if (this.passedBy) return;
    const face = frame.faces === 1 ? frame.face : undefined;
    if (!face) {
      this.openSeen = false;
      this.closed = [];
      this.pending = null;
      this.recent = [];
      this.startYaw = null;
      this.turned = false;
      return;
    }
    // The more open eye decides: a blink closes both, and the eye model misreads one eye on some
    // faces (glasses, shadow), which must not look like a blink or block one.
    if (this.kinds.includes('blink') && face.eyes) this.observeEyes(Math.max(face.eyes.left, face.eyes.right), { at: frame.at, face });
    if (this.kinds.includes('turn') && !this.passedBy) this.observeYaw(face.yaw);
  }

  private observeEyes(open: number, seen: Seen): void {
    this.recent.push(seen);
    while (this.recent.length > 0 && seen.at - this.recent[0]!.at > BLINK_MAX_MS + 2 * BLINK_STEADY.ms) this.recent.shift();
    if (open < EYES_CLOSED) {
      if (this.openSeen) this.closed.push(seen);
      if (this.closed.length > 0 && seen.at - this.closed[0]!.at > BLINK_MAX_MS) {
        this.closed = [];
        this.openSeen = false;
      }
    } else if (open > EYES_OPEN) {
      if (this.closed.length >= BLINK_MIN_CLOSED_FRAMES) this.pending = { from: this.closed[0]!.at, to: seen.at };
      this.closed = [];
      this.openSeen = true;
    } else if (this.closed.length > 0) {
      // Half-open between closed frames breaks the run: closed eyes must be seen on consecutive frames.
      this.closed = [];
    }
    if (this.pending && seen.at >= this.pending.to + BLINK_STEADY.ms) {
      const { from, to } = this.pending;
      this.pending = null;
      const around = this.recent.filter((r) => r.at >= from - BLINK_STEADY.ms && r.at <= to + BLINK_STEADY.ms);
      const before = around[0];
      if (before && before.at <= from - BLINK_STEADY.ms / 2 && around.every((r) => !unsteady(before.face, r.face))) this.passedBy = 'blink';
    }
  }

  private observeYaw(yaw: number): void {
    if (this.startYaw === null) {
      this.startYaw = yaw;
      return;
    }
    const away = Math.abs(yaw - this.startYaw);
    if (away >= TURN_DEGREES) this.turned = true;
    else if (this.turned && away <= RETURN_DEGREES) this.passedBy = 'turn';
  }
}

/** The challenge replayed over an attempt's frames, in order. */
export function replayChallenge(frames: readonly FrameEvidence[], kinds?: readonly ChallengeKind[]): ChallengeKind | null {
  const c = new LivenessChallenge(kinds);
  for (const f of frames) c.observe(f);
  return c.passedWith;
}
