// The login decision (1:1): the frames of one attempt and a claimed identity in, a verdict out.
// The back end runs it on the evidence a caller sends (every host: Electron main, the browser host,
// the command line); the caller never says "live" or "matched". Liveness is judged first
// (core/liveness), then the attempt's templates are fused by their normalised mean, the rule
// test/eval/fusion.ts measured, and compared with the identity's templates at a threshold chosen
// for this attempt's probe and template counts by the caller's `threshold` callback.
import { replayChallenge } from '../liveness/challenge';
import { LOGIN_MAX_FRAMES, LOGIN_MAX_PROBES, type FrameEvidence } from '../liveness/evidence';
import { judgeLiveness, type LivenessJudgement, type LivenessOptions } from '../liveness/judge';
import { fuseProbes } from '../matching/probe';
import type { TemplateIndex } from '../matching/templateIndex';
import { isProbeFrame, SAME_PERSON_COSINE } from './probe';

/** The attempt's bounds live with its evidence, where the contract reads them too. */
export { LOGIN_MAX_FRAMES, LOGIN_MAX_PROBES };

/** Good frames the renderer gathers before it asks (fewer are decided when time is up). */
export const LOGIN_PROBES_NEEDED = 5;

export type LoginReason = 'match' | 'no-match' | 'liveness-failed' | 'no-templates';

export interface LoginDecision {
  accepted: boolean;
  reason: LoginReason;
  /** Cosine of the fused probe to the identity's best template (null when not compared). */
  score: number | null;
  /** The cosine it had to reach (null when not compared). */
  threshold: number | null;
  probes: number;
  templates: number;
  liveness: LivenessJudgement;
  /** Why, for the event log, in a few words. */
  detail: string;
}

export interface LoginInput {
  frames: readonly FrameEvidence[];
  index: TemplateIndex;
  identityId: string;
  /** The cosine to reach for an attempt fusing probeCount probes against templateCount templates. */
  threshold: (probeCount: number, templateCount: number) => number;
  liveness?: LivenessOptions;
}

/** Each probe against the mean of the others: one stranger among the frames stands out even when outnumbered. */
function samePerson(probes: readonly Float32Array[]): boolean {
  if (probes.length < 2) return true;
  const sum = new Float64Array(probes[0]!.length);
  for (const p of probes) for (let i = 0; i < sum.length; i++) sum[i]! += p[i]!;
  return probes.every((p) => {
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < sum.length; i++) {
      const rest = sum[i]! - p[i]!;
      dot += rest * p[i]!;
      norm += rest * rest;
    }
    return dot / Math.sqrt(norm || 1) >= SAME_PERSON_COSINE;
  });
}

export function decideLogin({ frames, index, identityId, threshold, liveness: options }: LoginInput): LoginDecision {
  const sorted = [...frames].sort((a, b) => a.at - b.at);
  const liveness = judgeLiveness(sorted, options);
  const templates = index.templateIdsOf(identityId).length;
  const probes = sorted.filter(isProbeFrame).slice(-LOGIN_MAX_PROBES).map((f) => f.face!.template!);
  const refuse = (reason: LoginReason, detail: string, score: number | null = null, t: number | null = null): LoginDecision => ({
    accepted: false,
    reason,
    score,
    threshold: t,
    probes: probes.length,
    templates,
    liveness,
    detail,
  });
  if (!liveness.live) return refuse('liveness-failed', `liveness: ${liveness.reason}`);
  if (templates === 0) return refuse('no-templates', 'the identity has no template for this face model');
  if (probes.length === 0) return refuse('no-match', 'no frame was good enough to compare');
  const fused = fuseProbes(probes, index.dim);
  if (!fused.ok) return refuse('no-match', fused.error);
  if (!samePerson(probes)) return refuse('no-match', 'the frames show more than one person');
  const t = threshold(probes.length, templates);
  const best = index.bestScore(identityId, fused.unit);
  if (!best) return refuse('no-templates', 'the identity has no template for this face model');
  const accepted = best.score >= t;
  return { accepted, reason: accepted ? 'match' : 'no-match', score: best.score, threshold: t, probes: probes.length, templates, liveness, detail: accepted ? 'match' : 'below the threshold' };
}

/** After this long the attempt is sent with what it has (and refused when it is not enough). */
export const LOGIN_ATTEMPT_MS = 30_000;

export type LoginProgress = { ready: false; instruction: string } | { ready: true; judgement: LivenessJudgement };

/**
 * One login attempt as the camera side gathers it: keeps the latest frames, says what to do next
 * from the same liveness rule the back end applies, and is ready as soon as that rule and enough
 * good frames are satisfied (or the time is up). The renderer and the command line feed it.
 */
export class LoginEvidence {
  private frames: FrameEvidence[] = [];
  private startedAt: number | null = null;

  constructor(private readonly options: LivenessOptions = {}) {}

  get size(): number {
    return this.frames.length;
  }

  get probeCount(): number {
    return Math.min(LOGIN_MAX_PROBES, this.frames.filter(isProbeFrame).length);
  }

  observe(frame: FrameEvidence): LoginProgress {
    this.startedAt ??= frame.at;
    this.frames.push(frame);
    if (this.frames.length > LOGIN_MAX_FRAMES) this.frames.shift();
    const enough = this.probeCount >= LOGIN_PROBES_NEEDED;
    const timeUp = frame.at - this.startedAt > LOGIN_ATTEMPT_MS;
    // The whole rule (planarity fits included) only once the cheap part, the gesture, is seen.
    if (!timeUp && !(enough && replayChallenge(this.frames, this.options.kinds))) {
      if (frame.faces === 0) return { ready: false, instruction: 'Look at the camera.' };
      if (frame.faces > 1) return { ready: false, instruction: 'Only one person please.' };
      return { ready: false, instruction: replayChallenge(this.frames, this.options.kinds) ? 'Hold still for a moment.' : 'Blink once, or turn your head slowly to one side and back.' };
    }
    const judgement = judgeLiveness(this.frames, this.options);
    if (enough && judgement.live) return { ready: true, judgement };
    // A face that never looks live is sent (and refused) only when the time is up, so a real face
    // is not failed on its first few frames.
    if (timeUp && this.probeCount > 0) return { ready: true, judgement };
    if (frame.faces === 0) return { ready: false, instruction: 'Look at the camera.' };
    if (frame.faces > 1) return { ready: false, instruction: 'Only one person please.' };
    switch (judgement.reason) {
      case 'no-challenge':
      case 'planar':
      case 'frozen':
        return { ready: false, instruction: 'Blink once, or turn your head slowly to one side and back.' };
      case 'passive':
        return { ready: false, instruction: 'Look straight at the camera, in good light.' };
      default:
        return { ready: false, instruction: judgement.live ? 'Hold still for a moment.' : 'Look at the camera.' };
    }
  }

  /** What is sent: the kept frames, templates only on the latest LOGIN_MAX_PROBES probe frames. */
  evidence(): FrameEvidence[] {
    let templates = 0;
    const out: FrameEvidence[] = [];
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      const keep = isProbeFrame(f) && templates < LOGIN_MAX_PROBES;
      if (keep) templates++;
      if (f.face?.template && !keep) {
        const { template: _dropped, ...face } = f.face;
        out.push({ ...f, face });
      } else out.push(f);
    }
    return out.reverse();
  }
}
