// The login decision (core/decisions/login.ts) on a synthetic live attempt (test/support/loginEvidence.ts)
// whose last frames carry the given probes: what the service decides for them at a fixed threshold.
import { decideLogin, type LoginDecision } from '../../core/decisions/login';
import type { FrameEvidence } from '../../core/liveness/evidence';
import type { TemplateIndex } from '../../core/matching/templateIndex';
import { loginEvidence } from './loginEvidence';

type JsonFrame = Omit<FrameEvidence, 'face'> & { face?: Omit<NonNullable<FrameEvidence['face']>, 'template'> & { template?: number[] } };

/** The attempt's frames as the contract hands them to the decision (templates as Float32Array). */
export function loginFrames(probes: readonly ArrayLike<number>[]): FrameEvidence[] {
  const frames = loginEvidence(probes.map((p) => Float32Array.from(p))).frames as JsonFrame[];
  return frames.map(({ face, ...frame }) => {
    if (!face) return frame;
    const { template, ...rest } = face;
    return { ...frame, face: template ? { ...rest, template: Float32Array.from(template) } : rest };
  });
}

export function decideOn(index: TemplateIndex, identityId: string, probes: readonly ArrayLike<number>[], threshold: number): LoginDecision {
  return decideLogin({ frames: loginFrames(probes), index, identityId, threshold: () => threshold });
}
