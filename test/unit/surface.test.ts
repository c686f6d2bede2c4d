// The planarity test on pixels (core/liveness/surface.ts, core/vision/patch.ts): a picture, however
// it is turned in front of the camera, is carried from frame to frame by one homography, and the
// rule calls it planar; a real face's changing picture is not. Synthetic pictures here (a textured
// plane in perspective, with the landmark noise of real frames); the genuine clips' turns and blinks
// are in liveness.test.ts.
import { describe, expect, it } from 'vitest';
import { frameEvidenceSchema } from '../../core/contract/api';
import { faceEvidence, PATCH_TEXT_LENGTH, type FrameEvidence } from '../../core/liveness/evidence';
import { judgeLiveness, measurePlanarity, PLANARITY } from '../../core/liveness/judge';
import { facePlaneHomography } from '../../core/liveness/planarity';
import { surfaceResidual } from '../../core/liveness/surface';
import { facePatch } from '../../core/vision/patch';
import type { RgbaImage } from '../../core/vision/image';
import { gaussian, seededRandom } from '../../native-train/prng';
import { HEAD, seenAt, sweep } from '../support/synthetic-face';

/** A picture's texture on the plane, in inter-ocular units: smooth blobs of face-like sizes. */
function texture(seed: number): (x: number, y: number) => number {
  const random = seededRandom(seed);
  const blobs = Array.from({ length: 40 }, () => ({ x: -1.4 + 2.8 * random(), y: -1 + 2.4 * random(), s: 0.06 + 0.25 * random(), a: (random() - 0.5) * 160 }));
  return (x, y) => {
    let v = 128;
    for (const b of blobs) v += b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
    return v;
  };
}

/** The plane z = 0 of seenAt's head turned by yaw and pitch: the homography from plane (x, y) to frame pixels. */
function planeToFrame(yaw: number, pitch: number, focal: number): Float64Array {
  const [a, b] = [(yaw * Math.PI) / 180, (pitch * Math.PI) / 180];
  // x1 = x cos a; z1 = -x sin a; y2 = y cos b - z1 sin b; z2 = y sin b + z1 cos b; pixel = 320 + 50 x1 f / (f + z2), ...
  const den = [-Math.sin(a) * Math.cos(b), Math.sin(b), focal];
  const px = [50 * focal * Math.cos(a) + 320 * den[0]!, 320 * den[1]!, 320 * focal];
  const py = [50 * focal * Math.sin(a) * Math.sin(b) + 240 * den[0]!, 50 * focal * Math.cos(b) + 240 * den[1]!, 240 * focal];
  return Float64Array.from([...px, ...py, ...den]);
}

function invert(m: Float64Array): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = m as unknown as number[];
  const A = e! * i! - f! * h!, B = -(d! * i! - f! * g!), C = d! * h! - e! * g!; // prettier-ignore
  const det = a! * A + b! * B + c! * C;
  return Float64Array.from([A, -(b! * i! - c! * h!), b! * f! - c! * e!, B, a! * i! - c! * g!, -(a! * f! - c! * d!), C, -(a! * h! - b! * g!), a! * e! - b! * d!].map((v) => v / det));
}

/**
 * A 640 x 480 frame of the picture held at (yaw, pitch): the texture carried by the plane's
 * homography, under a brightness change `gain` and camera noise, on a grey desk (only the face's
 * surroundings are drawn: nothing else is read).
 */
function photoFrame(tex: (x: number, y: number) => number, yaw: number, pitch: number, focal: number, gain: number, random: () => number): RgbaImage {
  const width = 640;
  const height = 480;
  const data = new Uint8Array(width * height * 4).fill(90);
  const back = invert(planeToFrame(yaw, pitch, focal));
  for (let py = 120; py < 380; py++) {
    for (let px = 220; px < 420; px++) {
      const w = back[6]! * px + back[7]! * py + back[8]!;
      const x = (back[0]! * px + back[1]! * py + back[2]!) / w;
      const y = (back[3]! * px + back[4]! * py + back[5]!) / w;
      const inside = Math.abs(x) < 1.5 && y > -1.1 && y < 1.4;
      const v = Math.max(0, Math.min(255, (inside ? gain * tex(x, y) : 90) + 3 * gaussian(random)));
      const o = 4 * (py * width + px);
      data[o] = data[o + 1] = data[o + 2] = v;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}


describe('the planarity test on pixels', () => {
  it('carries a picture turned to 60 degrees about either axis onto its frontal view, whatever the light and the landmark noise', () => {
    const random = seededRandom(7);
    const worst: number[] = [];
    for (let k = 0; k < 12; k++) {
      const tex = texture(100 + k);
      const focal = 2 + 8 * random();
      const peak = 20 + 40 * random();
      const axis = k % 3;
      const [yaw, pitch] = axis === 0 ? [peak, 0] : axis === 1 ? [0, peak] : [peak * 0.7, -peak * 0.7];
      const sign = random() < 0.5 ? -1 : 1;
      const frames: FrameEvidence[] = sweep(sign * yaw, sign * pitch, 5).map(([y, p], i) => {
        const landmarks = seenAt(y, p, { flat: true, focal, seed: 300 + 17 * k + i });
        const image = photoFrame(tex, y, p, focal, 0.8 + 0.4 * random(), random);
        const face = faceEvidence({ landmarks, quality: { yaw: y, pitch: p, roll: 0, interocular: 50, faceHeight: 160, sharpness: 100, brightness: 0.5 }, eyes: { left: 0.9, right: 0.9 }, patch: facePatch(image, landmarks) } as never);
        return { at: i * 133, faces: 1, face };
      });
      // Frame by frame against the frontal one...
      const ref = frames[0]!;
      let most = 0;
      for (const f of frames.slice(1)) {
        const h = facePlaneHomography(ref.face!.landmarks, f.face!.landmarks)!;
        const r = surfaceResidual({ patch: decode(ref), landmarks: ref.face!.landmarks }, { patch: decode(f), landmarks: f.face!.landmarks }, h);
        expect(r, `picture ${k} at ${JSON.stringify([f.face!.yaw, f.face!.pitch])}`).not.toBeNull();
        most = Math.max(most, r!);
      }
      worst.push(most);
      // ...and as the rule sees the attempt: a turn that only a picture makes.
      const m = measurePlanarity(frames, PLANARITY, 'turn');
      expect(m.surfaceFrames, `picture ${k}: ${JSON.stringify(m)}`).toBeLessThan(PLANARITY.minFrames);
      expect(m.planar).toBe(true);
    }
    expect(Math.max(...worst)).toBeLessThan(PLANARITY.surface);
  });

  it('finds no homography for a face whose picture changes beyond one, and asks for pixels', () => {
    // Two different pictures at the same landmarks: nothing carries one onto the other.
    const random = seededRandom(11);
    const landmarks = seenAt(0, 0, { seed: 5 });
    const frames: FrameEvidence[] = Array.from({ length: 12 }, (_, i) => {
      const image = photoFrame(texture(500 + i), 0, 0, 6, 1, random);
      return { at: i * 133, faces: 1, face: faceEvidence({ landmarks, quality: { yaw: 0, pitch: 0, roll: 0, interocular: 50, faceHeight: 160, sharpness: 100, brightness: 0.5 }, patch: facePatch(image, landmarks) } as never) };
    });
    const m = measurePlanarity(frames, PLANARITY, 'blink');
    expect(m.surfaceFrames, JSON.stringify(m)).toBeGreaterThanOrEqual(PLANARITY.minFrames);
    expect(m.surface!).toBeGreaterThan(PLANARITY.surface);
    // The same frames without their patches prove nothing: the rule calls them planar.
    const bare = frames.map((f) => ({ ...f, face: { ...f.face!, patch: undefined } }));
    expect(measurePlanarity(bare, PLANARITY, 'blink')).toMatchObject({ planar: true, surface: null, surfaceFrames: 0 });
    expect(judgeLiveness(bare).details.planarity.surfaceFrames).toBe(0);
  });

  it('takes a patch in the contract only at its size and in base64', () => {
    const landmarks = Array.from({ length: 136 }, (_, i) => 100 + i);
    const frame = (luma: string) => ({ at: 0, faces: 1, face: { landmarks, yaw: 0, pitch: 0, roll: 0, interocular: 50, faceHeight: 160, sharpness: 1, brightness: 0.5, patch: { x: 1, y: 2, size: 100, luma } } });
    expect(frameEvidenceSchema.safeParse(frame('A'.repeat(PATCH_TEXT_LENGTH))).success).toBe(true);
    expect(frameEvidenceSchema.safeParse(frame('A'.repeat(PATCH_TEXT_LENGTH + 4))).success).toBe(false);
    expect(frameEvidenceSchema.safeParse(frame('*'.repeat(PATCH_TEXT_LENGTH))).success).toBe(false);
    expect(HEAD.length).toBe(68);
  });
});

function decode(f: FrameEvidence) {
  const p = f.face!.patch!;
  return { x: p.x, y: p.y, size: p.size, luma: Uint8Array.from(Buffer.from(p.luma, 'base64')) };
}
