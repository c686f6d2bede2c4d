// One login attempt: gathers good frames of the face and watches for the liveness gesture, then says
// when there is enough to ask the back end. Pure (no React), so its rules read in one place.
import { LivenessChallenge } from '../../vision/challenge';
import { PassiveLiveness, probeFace, ProbeSet } from '../../vision/fusion';
import type { FrameResult } from '../../vision/protocol';

/** Good frames fused into one decision. */
export const PROBES_NEEDED = 5;
/** After this long the attempt is decided with what it has (the challenge counts as failed). */
export const ATTEMPT_MS = 30_000;

export type AttemptState = { ready: false; instruction: string } | { ready: true; challengePassed: boolean };

export class LoginAttempt {
  readonly probes = new ProbeSet(10);
  readonly challenge = new LivenessChallenge();
  readonly passive = new PassiveLiveness();
  private startedAt: number | null = null;

  /** Feeds one analysed frame; `now` in milliseconds (performance.now()). */
  observe(frame: FrameResult, now: number): AttemptState {
    this.startedAt ??= now;
    const face = probeFace(frame);
    this.challenge.observe(frame.faces[0], now);
    if (frame.faces.length === 1) this.passive.add(frame.faces[0]);
    if (face) this.probes.add(face);
    const enough = this.probes.size >= PROBES_NEEDED;
    // Decided as soon as the evidence suffices; a face that never looks live is decided (and
    // refused) only when the time is up, so a real face is not failed on its first few frames.
    if (enough && this.challenge.passed && this.passive.live) return { ready: true, challengePassed: true };
    if (now - this.startedAt > ATTEMPT_MS && this.probes.size > 0) return { ready: true, challengePassed: this.challenge.passed };
    if (!frame.faces[0]) return { ready: false, instruction: 'Look at the camera.' };
    if (frame.faces.length > 1) return { ready: false, instruction: 'Only one person please.' };
    if (!this.challenge.passed) return { ready: false, instruction: this.challenge.instruction };
    if (enough && !this.passive.live) return { ready: false, instruction: 'Look straight at the camera, in good light.' };
    return { ready: false, instruction: 'Hold still for a moment.' };
  }
}
