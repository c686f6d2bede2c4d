// The passive half of the liveness check: the MiniFASNet model's p(live) over the attempt's frames.
// One frame's score swings on a real face, while a poor print or screen stays low across frames;
// so the score is the mean of the upper half of the frames, not of one or of all. (The model scores
// a good photo as live too: it is one test among three, never enough alone.)
import type { FrameEvidence } from './evidence';

/** Below this the attempt is refused as a presentation attack; live webcam frames score 0.97-1.00. */
export const PASSIVE_LIVE = 0.5;
/** Frames the passive score needs before it is trusted either way. */
export const PASSIVE_MIN_FRAMES = 5;

export interface PassiveScore {
  /** 0..1; 0 when no frame measured it. */
  score: number;
  frames: number;
  live: boolean;
}

export function passiveScore(frames: readonly FrameEvidence[]): PassiveScore {
  const scores: number[] = [];
  for (const f of frames) if (f.faces === 1 && f.face?.passive !== undefined) scores.push(f.face.passive);
  if (scores.length === 0) return { score: 0, frames: 0, live: false };
  const upper = scores.sort((a, b) => b - a).slice(0, Math.ceil(scores.length / 2));
  const score = upper.reduce((a, b) => a + b, 0) / upper.length;
  return { score, frames: scores.length, live: scores.length >= PASSIVE_MIN_FRAMES && score >= PASSIVE_LIVE };
}
