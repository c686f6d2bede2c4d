// The kiosk's liveness setting judged over a visit's frames with core/liveness's rules, so the
// visit decision never reads a caller's verdict: 'passive' is the passive model's score over the
// frames (photo and screen detection); 'challenge' is the whole login rule (a camera, not a repeated
// picture; a blink or a head turn; not moving as one plane; the passive score).
import type { FrameEvidence } from '../liveness/evidence';
import { judgeLiveness, LIVENESS_REASON_TEXT } from '../liveness/judge';
import { passiveScore, PASSIVE_MIN_FRAMES } from '../liveness/passive';

export type VisitLivenessMode = 'off' | 'passive' | 'challenge';

export interface VisitLiveness {
  live: boolean;
  /** Machine-readable, for the event log. */
  reason: string;
  /** A sentence the kiosk shows while it waits for better evidence. */
  advice: string;
}

export { PASSIVE_MIN_FRAMES };

export function visitLiveness(frames: readonly FrameEvidence[], mode: VisitLivenessMode): VisitLiveness {
  if (mode === 'off') return { live: true, reason: 'not-asked', advice: '' };
  if (mode === 'challenge') {
    const judged = judgeLiveness(frames);
    if (judged.live) return { live: true, reason: 'live', advice: '' };
    const advice = judged.reason === 'no-challenge' ? 'Blink once, or turn your head slowly to one side and back.' : `Please look at the camera: ${LIVENESS_REASON_TEXT[judged.reason]}.`;
    return { live: false, reason: judged.reason, advice };
  }
  const passive = passiveScore(frames);
  if (passive.frames < PASSIVE_MIN_FRAMES) return { live: false, reason: 'passive-too-few-frames', advice: 'Please look straight at the camera for a moment.' };
  if (!passive.live) return { live: false, reason: 'passive', advice: 'Please look straight at the camera, in good light.' };
  return { live: true, reason: 'live', advice: '' };
}
