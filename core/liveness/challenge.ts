// The active half of the liveness check: a still photo or a replayed face passes the passive model
// too often, so the person must do something on request: blink, or turn the head and back. One
// implementation: the renderer feeds it frame by frame for live guidance, and the back end replays
// the attempt's evidence through it (judgeLiveness) before deciding. Works on whatever frame rate
// the camera view reaches (a blink is seen as open -> closed -> open frames).
import type { FrameEvidence } from './evidence';

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
/** Head turn: yaw must leave the starting pose by this many degrees... */
export const TURN_DEGREES = 12;
/** ...and come back within this many. */
export const RETURN_DEGREES = 8;

export class LivenessChallenge {
  private passedBy: ChallengeKind | null = null;
  private openSeen = false;
  private closedAt: number | null = null;
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
      this.closedAt = null;
      this.startYaw = null;
      this.turned = false;
      return;
    }
    // The more open eye decides: a blink closes both, and the eye model misreads one eye on some
    // faces (glasses, shadow), which must not look like a blink or block one.
    if (this.kinds.includes('blink') && face.eyes) this.observeEyes(Math.max(face.eyes.left, face.eyes.right), frame.at);
    if (this.kinds.includes('turn')) this.observeYaw(face.yaw);
  }

  private observeEyes(open: number, at: number): void {
    if (this.closedAt !== null && at - this.closedAt > BLINK_MAX_MS) this.closedAt = null;
    if (open < EYES_CLOSED) {
      if (this.openSeen && this.closedAt === null) this.closedAt = at;
    } else if (open > EYES_OPEN) {
      if (this.closedAt !== null) this.passedBy = 'blink';
      this.openSeen = true;
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
