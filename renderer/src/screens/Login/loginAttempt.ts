// One login attempt on the camera side: each analysed frame becomes FrameEvidence, gathered by
// core's LoginEvidence, which says what to ask of the person from the same liveness rule the back
// end replays (core/liveness/judge) and when there is enough to send. The renderer decides nothing:
// it sends the frames, and shows the back end's verdict.
import { LOGIN_ATTEMPT_MS, LOGIN_PROBES_NEEDED, LoginEvidence, type LoginProgress } from '../../../../core/decisions/login';
import { faceEvidence, type FrameEvidence } from '../../../../core/liveness/evidence';
import type { FrameOptions, FrameResult } from '../../vision/protocol';

/** Good frames fused into one decision. */
export const PROBES_NEEDED = LOGIN_PROBES_NEEDED;
/** After this long the attempt is sent with what it has (and refused when it is not enough). */
export const ATTEMPT_MS = LOGIN_ATTEMPT_MS;

export type AttemptState = LoginProgress;

/**
 * What each camera frame of a login attempt (the Log in screen, an operator's face) is analysed for.
 * The full detector on every frame (no tracking): the liveness rule reads the landmarks' geometry,
 * which must depend on the frame alone, as `normface verify` analyses it (electron/cli/attempt.ts).
 */
export const LOGIN_FRAME_OPTIONS: FrameOptions = { embed: true, passive: true, eyes: true, thumbnail: false, detect: true, patch: true };

/** The evidence of one analysed frame: its largest face's measurements. */
export function frameEvidenceOf(frame: FrameResult, at: number): FrameEvidence {
  const face = frame.faces[0];
  if (!face) return { at, faces: 0 };
  return { at, faces: frame.faces.length, face: faceEvidence(face) };
}

export class LoginAttempt {
  readonly gathered = new LoginEvidence();
  private startedAt: number | null = null;

  /** Feeds one analysed frame; `now` in milliseconds (performance.now()). */
  observe(frame: FrameResult, now: number): AttemptState {
    this.startedAt ??= now;
    return this.gathered.observe(frameEvidenceOf(frame, Math.max(0, Math.round(now - this.startedAt))));
  }

  /** What the login call is sent: the latest frames, at most MAX_PROBES of them with a template. */
  evidence(): { frames: FrameEvidence[] } {
    return { frames: this.gathered.evidence() };
  }
}
