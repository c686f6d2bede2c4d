// The probe rule: which frames may serve as probes, and when a probe is someone else's face. The
// kiosk (renderer/src/vision/fusion.ts) picks its probes by it and the back end (login, visit)
// keeps only frames it passes, so the two cannot drift apart.
import { evidenceGuidance, type FrameEvidence } from '../liveness/evidence';
import type { Guidance } from '../vision/quality';

/** Guidance that makes a frame useless as a probe; milder advice (light, pose) does not. */
export const BLOCKING: readonly Guidance[] = ['no_face', 'one_person_only', 'move_closer'];
/** Beyond this the embedder's templates drift too far from a frontal enrollment to be worth fusing. */
export const MAX_PROBE_YAW = 40;
export const MAX_PROBE_PITCH = 35;
/** A probe this far from the mean of the other probes is someone else's face. */
export const SAME_PERSON_COSINE = 0.25;

/** Whether a face seen with this guidance and pose may be a probe (it also needs a template). */
export function isProbePose(guidance: readonly Guidance[], yaw: number, pitch: number): boolean {
  if (guidance.some((g) => BLOCKING.includes(g))) return false;
  return Math.abs(yaw) <= MAX_PROBE_YAW && Math.abs(pitch) <= MAX_PROBE_PITCH;
}

/** Whether a frame's face can serve as a probe: one face, close enough, not turned too far, with a template. */
export function isProbeFrame(frame: FrameEvidence): boolean {
  const f = frame.face;
  if (!f?.template) return false;
  return isProbePose(evidenceGuidance(frame), f.yaw, f.pitch);
}
