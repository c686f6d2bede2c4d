// Quality measures enrollment uses to take good samples and to tell people what to change.
// All are cheap: computed from the landmarks and the aligned crop the embedder already needs.
import { ALIGNED_SIZE, alignmentMap } from './align';
import { sampleTensor, type Box, type RgbaImage } from './image';
import type { FivePoints } from './landmarks';

export interface Quality {
  /** Detector box height in pixels. */
  faceHeight: number;
  /** Distance between the eye centres in pixels. */
  interocular: number;
  /** Variance of the Laplacian of the aligned grey crop: low means blurred. */
  sharpness: number;
  /** Mean luma of the aligned crop, 0..1. */
  brightness: number;
  /** Head pose estimates from the five points, degrees: + is the subject turning to their left / looking up. */
  yaw: number;
  pitch: number;
  roll: number;
  /** Probability both eyes are open, when the eye model ran. */
  eyesOpen?: number;
}

export const QUALITY_LIMITS = {
  minFaceHeight: 80,
  minInterocular: 28,
  minSharpness: 40,
  minBrightness: 0.22,
  maxBrightness: 0.85,
  maxYaw: 25,
  maxPitch: 25,
  minEyesOpen: 0.5,
} as const;

// Pitch reference: where the nose tip sits between eye line and mouth line on the frontal template.
const FRONTAL_NOSE_RATIO = (71.7366 - 51.599) / (92.2848 - 51.599);

export function headPose(p: FivePoints): { yaw: number; pitch: number; roll: number } {
  const [re, le, nose, rm, lm] = p;
  const roll = Math.atan2(le.y - re.y, le.x - re.x);
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  // Undo the roll so yaw and pitch are read in the face's own frame.
  const rot = (q: { x: number; y: number }) => ({ x: q.x * cos - q.y * sin, y: q.x * sin + q.y * cos });
  const [r, l, n, m1, m2] = [rot(re), rot(le), rot(nose), rot(rm), rot(lm)];
  const iod = Math.max(1e-6, l.x - r.x);
  const eyeMidX = (r.x + l.x) / 2;
  const eyeY = (r.y + l.y) / 2;
  const mouthY = (m1.y + m2.y) / 2;
  // The nose tip sits about 0.55 inter-ocular distances in front of the eye plane.
  const yaw = Math.asin(Math.max(-1, Math.min(1, (n.x - eyeMidX) / (0.55 * iod))));
  const ratio = (n.y - eyeY) / Math.max(1e-6, mouthY - eyeY);
  const pitch = Math.asin(Math.max(-1, Math.min(1, (FRONTAL_NOSE_RATIO - ratio) / 0.5)));
  const deg = 180 / Math.PI;
  return { yaw: yaw * deg, pitch: pitch * deg, roll: roll * deg };
}

export function measureQuality(img: RgbaImage, box: Box, points: FivePoints, eyesOpen?: number): Quality {
  const grey = sampleTensor(img, alignmentMap(points), { width: ALIGNED_SIZE, height: ALIGNED_SIZE, sampling: 'grey', mean: 0, scale: 1 });
  const n = ALIGNED_SIZE;
  let luma = 0;
  for (let i = 0; i < grey.length; i++) luma += grey[i] as number;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const lap = (grey[i - 1] as number) + (grey[i + 1] as number) + (grey[i - n] as number) + (grey[i + n] as number) - 4 * (grey[i] as number);
      sum += lap;
      sumSq += lap * lap;
      count++;
    }
  }
  const lapMean = sum / count;
  const [re, le] = points;
  return {
    faceHeight: box.y2 - box.y1,
    interocular: Math.hypot(le.x - re.x, le.y - re.y),
    sharpness: sumSq / count - lapMean * lapMean,
    brightness: luma / grey.length / 255,
    ...headPose(points),
    ...(eyesOpen === undefined ? {} : { eyesOpen }),
  };
}

export type Guidance =
  | 'no_face'
  | 'one_person_only'
  | 'move_closer'
  | 'too_dark'
  | 'too_bright'
  | 'hold_still'
  | 'face_the_camera'
  | 'open_eyes';

export const GUIDANCE_TEXT: Record<Guidance, string> = {
  no_face: 'No face in view: look at the camera.',
  one_person_only: 'Only one person please.',
  move_closer: 'Move closer.',
  too_dark: 'Too dark: add light in front of you.',
  too_bright: 'Too bright: avoid light shining on the camera or your face.',
  hold_still: 'Hold still: the picture is blurred.',
  face_the_camera: 'Face the camera.',
  open_eyes: 'Keep your eyes open.',
};

/** What the person should change, most important first; empty when the sample is good. */
export function guidance(faceCount: number, q?: Quality): Guidance[] {
  if (faceCount === 0 || !q) return ['no_face'];
  const out: Guidance[] = [];
  const L = QUALITY_LIMITS;
  if (faceCount > 1) out.push('one_person_only');
  if (q.faceHeight < L.minFaceHeight || q.interocular < L.minInterocular) out.push('move_closer');
  if (q.brightness < L.minBrightness) out.push('too_dark');
  if (q.brightness > L.maxBrightness) out.push('too_bright');
  if (Math.abs(q.yaw) > L.maxYaw || Math.abs(q.pitch) > L.maxPitch) out.push('face_the_camera');
  if (q.sharpness < L.minSharpness) out.push('hold_still');
  if (q.eyesOpen !== undefined && q.eyesOpen < L.minEyesOpen) out.push('open_eyes');
  return out;
}
