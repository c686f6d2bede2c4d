// The kiosk's rules for one visit (a face that stays in view): fuse its good frames, ask identify
// after each new one until someone is recognised, call it a stranger after a few misses, and stop
// embedding once decided so the camera view only tracks until the face leaves.
import { PassiveLiveness, probeFace, ProbeSet } from '../../vision/fusion';
import type { FrameResult } from '../../vision/protocol';

/** No face for this long ends the visit; the next face is a new visit. */
export const VISIT_GAP_MS = 1500;
/** Fused probes tried before saying "not recognised"... */
export const STRANGER_AFTER = 3;
/** ...and the most tried in one visit: each try is another chance of a false match. */
export const MAX_TRIES = 8;
/** Tries are spaced so that MAX_TRIES spans a couple of seconds of frames, not half a second. */
export const TRY_INTERVAL_MS = 250;

export type VisitStep =
  /** Nothing to do for this frame. */
  | { kind: 'wait' }
  /** Ask identify with this fused probe. */
  | { kind: 'identify'; probe: Float32Array; tries: number; passiveLive: boolean }
  /** The face left: clear the greeting after a while. */
  | { kind: 'left' };

export type VisitOutcome = 'open' | 'recognised' | 'stranger';

export class KioskVisit {
  private probes = new ProbeSet(5);
  private passive = new PassiveLiveness();
  private lastFaceAt = -Infinity;
  private tries = 0;
  private lastTryAt = -Infinity;
  outcome: VisitOutcome = 'open';
  /** performance.now() of this visit's first face, for the time-to-greeting figure. */
  firstFaceAt: number | null = null;

  /** Whether frames still need templates (false once the visit is decided for good). */
  get wantsTemplates(): boolean {
    return this.outcome !== 'recognised' && this.tries < MAX_TRIES;
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
    if (frame.faces.length === 1) this.passive.add(face);
    const probe = probeFace(frame);
    if (!probe || !this.wantsTemplates) return { kind: 'wait' };
    // Someone else stepped in front: a new visit.
    if (!this.probes.add(probe)) {
      this.reset(now);
      this.lastFaceAt = now;
      this.probes.add(probe);
    }
    if (busy || now - this.lastTryAt < TRY_INTERVAL_MS) return { kind: 'wait' };
    this.tries++;
    this.lastTryAt = now;
    return { kind: 'identify', probe: this.probes.fused(), tries: this.tries, passiveLive: this.passive.live };
  }

  /** The identify answer for the latest try. A match still waiting for liveness does not use up a try. */
  decide(recognised: boolean, livenessPending = false): VisitOutcome {
    if (livenessPending) {
      this.tries--;
      return this.outcome;
    }
    if (recognised) this.outcome = 'recognised';
    else if (this.tries >= STRANGER_AFTER) this.outcome = 'stranger';
    return this.outcome;
  }

  private reset(now?: number): void {
    this.probes.reset();
    this.passive.reset();
    this.tries = 0;
    this.lastTryAt = -Infinity;
    this.outcome = 'open';
    this.firstFaceAt = now ?? null;
  }
}
