// What the back end is told about one analysed camera frame of a login attempt: measurements, never
// a verdict. The renderer builds it from its worker's FrameResult, Node hosts from core/vision's
// FrameAnalysis (frameEvidence below); the liveness rule and the login decision read only this.
import type { Template } from '../hypersphere';
import { bytesToBase64 } from '../vision/base64';
import { PATCH_SIZE, type FacePatch } from '../vision/patch';
import type { FrameAnalysis } from '../vision/pipeline';
import { guidance, type Guidance, type Quality } from '../vision/quality';

export const LANDMARK_COUNT = 68;

/** The served (largest) face of a frame. */
export interface FaceEvidence {
  /** 68 iBUG landmarks as x0, y0, x1, y1... in frame pixels (plain numbers: they travel as JSON). */
  landmarks: number[];
  /** Head pose from the five points, degrees. */
  yaw: number;
  pitch: number;
  roll: number;
  /** Eye-centre distance and detector box height, frame pixels. */
  interocular: number;
  faceHeight: number;
  /** Variance of the Laplacian of the aligned crop, and its mean luma 0..1. */
  sharpness: number;
  brightness: number;
  /** Eye-open probabilities, when the eye model ran. */
  eyes?: { left: number; right: number };
  /** Passive liveness p(live), when the model ran. */
  passive?: number;
  /** The face's Template; at most MAX_PROBES frames of an attempt carry one. */
  template?: Template;
  /** A small grey picture of the face (core/vision/patch.ts), for the planarity test on pixels. */
  patch?: PatchEvidence;
}

/** The length of a patch's luma in base64 (PATCH_SIZE^2 bytes). */
export const PATCH_TEXT_LENGTH = Math.ceil((PATCH_SIZE * PATCH_SIZE) / 3) * 4;

/** FacePatch as it travels: the luma bytes in base64. */
export interface PatchEvidence {
  x: number;
  y: number;
  size: number;
  luma: string;
}

/** Templates fused into one login decision at most (the contract bounds a call to this many). */
export const LOGIN_MAX_PROBES = 10;
/** Frames one attempt sends at most (the contract's bound): the latest, a few seconds of camera. */
export const LOGIN_MAX_FRAMES = 120;

export interface FrameEvidence {
  /** Milliseconds on the attempt's clock (monotonic). */
  at: number;
  /** Faces the detector found in the frame. */
  faces: number;
  face?: FaceEvidence;
}

/** The FrameEvidence of an analysed frame (Node hosts; the renderer maps its FrameResult the same way). */
export function frameEvidence(analysis: FrameAnalysis, at: number): FrameEvidence {
  const f = analysis.faces[0];
  if (!f) return { at, faces: 0 };
  return { at, faces: analysis.faces.length, face: faceEvidence(f) };
}

/** The common shape of a face from core/vision (FaceObservation) or the renderer's worker (FaceResult). */
export interface ObservedFace {
  landmarks: ArrayLike<number>;
  quality: Quality;
  eyes?: { left: number; right: number };
  passive?: number;
  template?: Template;
  patch?: FacePatch;
}

export function faceEvidence(f: ObservedFace): FaceEvidence {
  const q = f.quality;
  const e: FaceEvidence = {
    landmarks: Array.from(f.landmarks),
    yaw: q.yaw,
    pitch: q.pitch,
    roll: q.roll,
    interocular: q.interocular,
    faceHeight: q.faceHeight,
    sharpness: q.sharpness,
    brightness: q.brightness,
  };
  if (f.eyes) e.eyes = { left: f.eyes.left, right: f.eyes.right };
  if (f.passive !== undefined) e.passive = f.passive;
  if (f.template) e.template = f.template;
  if (f.patch) e.patch = patchEvidence(f.patch);
  return e;
}

export function patchEvidence(p: FacePatch): PatchEvidence {
  return { x: p.x, y: p.y, size: p.size, luma: bytesToBase64(p.luma) };
}

/** The quality guidance of a frame, recomputed from its evidence (the caller's own list is not trusted). */
export function evidenceGuidance(frame: FrameEvidence): Guidance[] {
  const f = frame.face;
  if (!f) return guidance(0);
  return guidance(frame.faces, {
    faceHeight: f.faceHeight,
    interocular: f.interocular,
    sharpness: f.sharpness,
    brightness: f.brightness,
    yaw: f.yaw,
    pitch: f.pitch,
    roll: f.roll,
    ...(f.eyes ? { eyesOpen: Math.min(f.eyes.left, f.eyes.right) } : {}),
  });
}
