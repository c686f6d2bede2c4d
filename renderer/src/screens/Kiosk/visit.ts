// One kiosk visit (a face that stays in view) as the renderer sees it: collect the evidence the back
// end decides on (checkins.visit), send it once there is enough, and stop embedding once decided so
// the camera view only tracks until the face leaves. The decision itself is the back end's
// (core/decisions/visit.ts): this file only says when to ask.
import type { Args } from '../../../../core/contract/api';
import { MAX_PROBES, MAX_VISIT_FRAMES, VISIT_PROBES } from '../../../../core/contract/api';
import { faceEvidence } from '../../../../core/liveness/evidence';
import { PASSIVE_MIN_FRAMES } from '../../../../core/liveness/passive';
import { probeFace, ProbeSet } from '../../vision/fusion';
import type { FaceResult, FrameResult } from '../../vision/protocol';

/** No face for this long ends the visit; the next face is a new visit. */
export const VISIT_GAP_MS = 1500;
/** The visit is sent once it has VISIT_PROBES probes (the contract's; promises are stated for it)... */
export { VISIT_PROBES };
/** ...or this long after its first probe, whichever comes first (a slow camera still gets an answer). */
export const VISIT_WAIT_MS = 1500;
/** Passive liveness needs this many measured frames before the back end can judge it. */
export const PASSIVE_FRAMES = PASSIVE_MIN_FRAMES;
/** A visit sent without them after this long gets the back end's advice instead of waiting forever. */
export const PASSIVE_WAIT_MS = 4000;
/** A match waiting for liveness is asked again at most this often... */
export const RETRY_INTERVAL_MS = 500;
/** ...and at most this many times in one visit. */
export const MAX_TRIES = 8;
/** Frames without a template kept for the liveness check (the probes' frames are kept besides). */
const EVIDENCE_FRAMES = MAX_VISIT_FRAMES - MAX_PROBES;

export type VisitEvidence = Args<'checkins.visit'>['evidence'];

export type VisitStep =
  /** Nothing to do for this frame. */
  | { kind: 'wait' }
  /** Send this evidence as one checkins.visit call. */
  | { kind: 'send'; evidence: VisitEvidence; tries: number }
  /** The face left: clear the greeting after a while. */
  | { kind: 'left' };

/** open: collecting; decided: the back end answered greeting / repeat / not recognised for this visit. */
export type VisitOutcome = 'open' | 'decided';

type WireFrame = VisitEvidence['frames'][number];
type WireFace = NonNullable<WireFrame['face']>;

interface Seen {
  at: number;
  faces: number;
  face: WireFace;
  template?: Float32Array;
}

/** The measurements of the served face; its template, when it is a probe, travels in `Seen.template`. */
function measured(f: FaceResult): WireFace {
  return faceEvidence({ ...f, template: undefined });
}

export class KioskVisit {
  private probes = new ProbeSet(VISIT_PROBES);
  private frames: Seen[] = [];
  private lastFaceAt = -Infinity;
  private firstProbeAt: number | null = null;
  private tries = 0;
  private lastTryAt = -Infinity;
  outcome: VisitOutcome = 'open';
  /** performance.now() of this visit's first face, for the time-to-greeting figure. */
  firstFaceAt: number | null = null;

  constructor(private readonly liveness: 'off' | 'passive' | 'challenge' = 'passive') {}

  /** Whether frames still need templates (false once the visit is decided or out of tries). */
  get wantsTemplates(): boolean {
    return this.outcome === 'open' && this.tries < MAX_TRIES;
  }

  observe(frame: FrameResult, now: number, busy: boolean): VisitStep {
    const face = frame.faces[0];
    if (!face) {
      if (this.firstFaceAt !== null && now - this.lastFaceAt > VISIT_GAP_MS) {
        this.reset();
        return { kind: 'left' };
      }
      return { kind: 'wait' };
    }
    if (this.firstFaceAt === null || now - this.lastFaceAt > VISIT_GAP_MS) this.reset(now);
    this.lastFaceAt = now;
    if (!this.wantsTemplates) return { kind: 'wait' };
    const probe = probeFace(frame);
    // Someone else stepped in front: a new visit.
    if (probe && !this.probes.add(probe)) {
      this.reset(now);
      this.lastFaceAt = now;
      this.probes.add(probe);
    }
    if (probe) this.firstProbeAt ??= now;
    this.keep({ at: now, faces: frame.faces.length, face: measured(face), ...(probe?.template ? { template: probe.template } : {}) });
    if (busy || this.probes.size === 0 || now - this.lastTryAt < RETRY_INTERVAL_MS) return { kind: 'wait' };
    // A slow analysis (software WebGPU, a loaded machine) would keep the person waiting for the rest: decide on what there is.
    const slow = frame.workMs * (VISIT_PROBES - this.probes.size) > VISIT_WAIT_MS;
    if (this.probes.size < VISIT_PROBES && now - this.firstProbeAt! < VISIT_WAIT_MS && !slow) return { kind: 'wait' };
    if (this.liveness === 'passive' && this.passiveFrames() < PASSIVE_FRAMES && now - this.firstFaceAt! < PASSIVE_WAIT_MS) return { kind: 'wait' };
    this.tries++;
    this.lastTryAt = now;
    return { kind: 'send', evidence: this.evidence(), tries: this.tries };
  }

  /** The back end's answer: anything but 'liveness' decides the visit. */
  answered(outcome: 'greeting' | 'repeat' | 'not-recognised' | 'liveness'): VisitOutcome {
    if (outcome !== 'liveness') this.outcome = 'decided';
    return this.outcome;
  }

  private passiveFrames(): number {
    return this.frames.filter((f) => f.faces === 1 && f.face.passive !== undefined).length;
  }

  /** Keeps the newest frames, never dropping one whose template is among the visit's probes. */
  private keep(seen: Seen): void {
    this.frames.push(seen);
    if (this.frames.length <= EVIDENCE_FRAMES + MAX_PROBES) return;
    const kept = new Set(this.probes.templates());
    const drop = this.frames.findIndex((f) => !f.template || !kept.has(f.template));
    this.frames.splice(drop < 0 ? 0 : drop, 1);
  }

  /** Every kept frame; only the probes' frames carry their template. */
  private evidence(): VisitEvidence {
    const kept = new Set(this.probes.templates());
    // Only the visit's chosen probes carry their template (the contract bounds them).
    return { frames: this.frames.map(({ at, faces, face, template }) => ({ at, faces, face: template && kept.has(template) ? { ...face, template } : face })) };
  }

  private reset(now?: number): void {
    this.probes.reset();
    this.frames = [];
    this.firstProbeAt = null;
    this.tries = 0;
    this.lastTryAt = -Infinity;
    this.outcome = 'open';
    this.firstFaceAt = now ?? null;
  }
}
