// Multi-frame fusion: a decision trusts several good frames of the same face, not one. Probes are
// collected per visit (a face that stays in view); the fused probe is their normalised mean, which
// on LFW lowers the false non-match rate at the same false-match rate (test/eval/fusion.ts).
import { cosine } from '../../../core/hypersphere';
import { meanTemplate } from '../../../core/matching/probe';
import { isProbePose, SAME_PERSON_COSINE } from '../../../core/decisions/probe';
import type { FaceResult, FrameResult } from './protocol';

/** The served face of a frame when it can be a probe (template included), else null. */
export function probeFace(frame: FrameResult): FaceResult | null {
  const face = frame.faces[0];
  if (!face?.template) return null;
  return isProbePose(frame.guidance, face.quality.yaw, face.quality.pitch) ? face : null;
}

interface Probe {
  template: Float32Array;
  /** Higher is better: sharp and frontal. */
  rank: number;
}

function rank(face: FaceResult): number {
  const q = face.quality;
  return Math.min(1, q.sharpness / 200) - (Math.abs(q.yaw) + Math.abs(q.pitch)) / 90;
}

/** The probes of one visit: keeps the best `capacity`, and notices when the person changes. */
export class ProbeSet {
  private probes: Probe[] = [];
  private seen = 0;

  constructor(readonly capacity = 10) {}

  get size(): number {
    return this.probes.length;
  }

  /** Probes offered since the last reset (kept or not). */
  get offered(): number {
    return this.seen;
  }

  /** Adds a probe; returns false (and adds nothing) when it looks like a different person. */
  add(face: FaceResult): boolean {
    if (!face.template) return false;
    if (this.probes.length > 0 && cosine(this.fused(), face.template) < SAME_PERSON_COSINE) return false;
    this.seen++;
    this.probes.push({ template: face.template, rank: rank(face) });
    if (this.probes.length > this.capacity) {
      this.probes.sort((a, b) => b.rank - a.rank);
      this.probes.length = this.capacity;
    }
    return true;
  }

  reset(): void {
    this.probes = [];
    this.seen = 0;
  }

  templates(): Float32Array[] {
    return this.probes.map((p) => p.template);
  }

  /** The normalised mean of the kept templates: one probe that stands for the visit. */
  fused(): Float32Array {
    return meanTemplate(this.templates());
  }
}
