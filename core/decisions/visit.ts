// The kiosk's decision for one visit (a face that stayed in view): the visit's probes fused by their
// normalised mean (the rule test/eval/decisions.ts measures) against the whole gallery, open set, at
// the visit threshold; then, for a match, the kiosk's liveness setting judged over the same frames.
// Every host (Electron main, the browser host, the command line) calls this; the caller sends the
// frames and never a verdict.
import { fuseProbes } from '../matching/probe';
import type { TemplateIndex } from '../matching/templateIndex';
import { identify, type AgentSet, type Failure } from '../matching/identify';
import type { FrameEvidence } from '../liveness/evidence';
import { isProbeFrame } from './probe';
import { visitLiveness, type VisitLivenessMode } from './visitLiveness';

export type { VisitLivenessMode };

export interface VisitInput {
  /** The visit's analysed frames; those carrying a template are its probes. */
  frames: readonly FrameEvidence[];
  /** Enrolled templates (and trained agents, when a run is accepted: they rank the candidates). */
  index: TemplateIndex;
  agents?: AgentSet | null;
  /** Cosine the fused probe's best candidate must reach for this many probes (levels.ts visitThreshold: per visit, for this gallery). */
  threshold: (probeCount: number) => number;
  liveness: VisitLivenessMode;
}

interface Decided {
  ok: true;
  threshold: number;
  /** Probes fused into the visit's one probe. */
  probes: number;
}

export type VisitDecision =
  | (Decided & { outcome: 'recognised'; identityId: string; score: number })
  /** A match, but the liveness setting is not met yet: the kiosk asks for more and logs nothing. */
  | (Decided & { outcome: 'liveness'; advice: string; reason: string })
  /**
   * Nobody in the gallery reaches the threshold. `fused` is what the opt-in cohort may keep;
   * `live` says whether the frames passed the liveness setting (a photo held up is no stranger worth keeping).
   */
  | (Decided & { outcome: 'not-recognised'; score: number | null; fused: Float32Array; live: boolean });

/** The frames that count as probes: the login rule's (one face, close enough, not turned too far, template present). */
export function visitProbes(frames: readonly FrameEvidence[]): ArrayLike<number>[] {
  return frames.filter(isProbeFrame).map((f) => f.face!.template!);
}

export function decideVisit(input: VisitInput): VisitDecision | Failure {
  const probes = visitProbes(input.frames);
  if (probes.length === 0) return { ok: false, error: 'the visit has no frame with one face and its template: nothing to check in' };
  const fused = fuseProbes(probes, input.index.dim);
  if (!fused.ok) return fused;
  const threshold = input.threshold(probes.length);
  const found = identify(input.index, fused.unit, 1, threshold, input.agents ?? undefined);
  if (!found.ok) return found;
  const top = found.candidates[0];
  const base = { ok: true as const, threshold, probes: probes.length };
  const live = visitLiveness(input.frames, input.liveness);
  if (!found.recognised || !top) {
    return { ...base, outcome: 'not-recognised', score: top?.score ?? null, fused: Float32Array.from(fused.unit), live: live.live };
  }
  if (!live.live) return { ...base, outcome: 'liveness', advice: live.advice, reason: live.reason };
  return { ...base, outcome: 'recognised', identityId: top.identityId, score: top.score };
}
