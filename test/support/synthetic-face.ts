// A synthetic head for the liveness tests: 68 landmarks in 3D, seen turned by a pinhole camera with
// the landmark noise of real frames (liveness.test.ts, surface.test.ts).
import { patchEvidence, type PatchEvidence } from '../../core/liveness/evidence';
import { PATCH_SIZE, patchSquare } from '../../core/vision/patch';
import { seededRandom } from '../../native-train/prng';

/** A head of 68 points in 3D (units of inter-ocular distance): jaw curving back, nose in front. */
export const HEAD: [number, number, number][] = Array.from({ length: 68 }, (_, i) => {
  if (i <= 16) {
    const a = Math.PI * (0.05 + (0.9 * i) / 16);
    return [-1.1 * Math.cos(a), 0.3 + 1.1 * Math.sin(a) * 0.9, -0.9 * Math.sin(a) ** 0.2 * (1 - Math.sin(a)) - 0.4];
  }
  if (i <= 26) return [-0.95 + 0.19 * (i - 17) + (i >= 22 ? 0.1 : 0), -0.45 - 0.08 * Math.sin(((i - 17) % 5) * 0.8), 0.1];
  if (i <= 30) return [0, -0.3 + 0.16 * (i - 27), 0.2 + 0.13 * (i - 27)];
  if (i <= 35) return [-0.3 + 0.15 * (i - 31), 0.45, 0.35 - 0.08 * Math.abs(i - 33)];
  if (i <= 47) {
    const k = (i - 36) % 6;
    const cx = i < 42 ? -0.5 : 0.5;
    const a = (Math.PI * k) / 3;
    return [cx + 0.22 * Math.cos(a), -0.25 + 0.08 * Math.sin(a), 0];
  }
  const a = (2 * Math.PI * (i - 48)) / (i < 60 ? 12 : 8);
  return [0.45 * Math.cos(a) * (i < 60 ? 1 : 0.7), 0.85 + 0.15 * Math.sin(a) * (i < 60 ? 1 : 0.5), 0.15];
});

/**
 * The head (or, flat, a photo of it: every point in the plane z = 0) turned by yaw and pitch and
 * seen by a pinhole camera of focal length `focal` (units of inter-ocular distance; the face 50 px
 * per unit) at distance `focal`. Landmark noise as measured on real frames of turned-photo attacks
 * (npm run eval:pad; the per-coordinate homography residual of the 68 landmarks: median 0.009, p90
 * 0.034, max 0.057 inter-ocular distances): 0.01 facing the camera, for a photo growing to 0.05 at 60
 * degrees (the landmark model, trained on real heads, misreads a squeezed picture; a real turned head
 * keeps the median 0.01 unless `noise` says otherwise), half of it a bias that stays while the pose
 * does, half fresh on every frame.
 */
export function seenAt(yaw: number, pitch: number, { flat = false, focal = 8, seed = 1, noise }: { flat?: boolean; focal?: number; seed?: number; noise?: boolean } = {}): number[] {
  const grow = noise ?? flat;
  const [a, b] = [(yaw * Math.PI) / 180, (pitch * Math.PI) / 180];
  const sigma = 0.01 + (grow ? (0.04 * Math.min(60, Math.max(Math.abs(yaw), Math.abs(pitch)))) / 60 : 0);
  const bias = seededRandom(seed * 7919 + Math.round(yaw / 10) * 31 + Math.round(pitch / 10));
  const fresh = seededRandom(seed * 104729 + Math.round(yaw * 1000) + Math.round(pitch * 7));
  const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return HEAD.flatMap(([x, y, z]) => {
    const depth = flat ? 0 : z;
    // Yaw about the vertical axis, then pitch about the horizontal one.
    const x1 = x * Math.cos(a) + depth * Math.sin(a);
    const z1 = -x * Math.sin(a) + depth * Math.cos(a);
    const y2 = y * Math.cos(b) - z1 * Math.sin(b);
    const z2 = y * Math.sin(b) + z1 * Math.cos(b);
    const w = focal / (focal + z2);
    const noise = () => (sigma / Math.SQRT2) * (gauss(bias) + gauss(fresh));
    return [320 + 50 * (x1 * w + noise()), 240 + 50 * (y2 * w + noise())];
  });
}
/** A turn away and back: `peak` degrees of yaw and of pitch at the far point, `steps` frames each way. */
export const sweep = (peakYaw: number, peakPitch: number, steps = 10) => Array.from({ length: 2 * steps + 1 }, (_, i) => Math.sin((Math.PI * i) / (2 * steps))).map((k) => [peakYaw * k, peakPitch * k] as const);

/**
 * The face patch (core/vision/patch.ts) of a frame whose picture no homography carries onto another
 * frame's, as a real face's changes with its depth, light and expression: smooth blobs drawn anew
 * for each seed. The landmark-only tests give every frame one, so that they test what they name.
 */
export function changingPicture(landmarks: ArrayLike<number>, seed: number): PatchEvidence {
  const random = seededRandom(seed);
  const blobs = Array.from({ length: 30 }, () => ({ x: PATCH_SIZE * random(), y: PATCH_SIZE * random(), s: 3 + 12 * random(), a: (random() - 0.5) * 160 }));
  const luma = new Uint8Array(PATCH_SIZE * PATCH_SIZE);
  for (let v = 0; v < PATCH_SIZE; v++) {
    for (let u = 0; u < PATCH_SIZE; u++) {
      let value = 128;
      for (const b of blobs) value += b.a * Math.exp(-((u - b.x) ** 2 + (v - b.y) ** 2) / (2 * b.s * b.s));
      luma[v * PATCH_SIZE + u] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return patchEvidence({ ...patchSquare(landmarks), luma });
}
