// A printed photo held in front of a pinhole camera, drawn in software so that every attack's
// geometry is known and seeded: the picture is a card (flat, or bent as a cylinder), turned about
// any axis, moved and scaled, under a light of its own brightness and colour, with paper grain, an
// optional hand holding it, motion blur and sensor noise. Used by make-attacks.ts; no decision reads it.
import type { RgbaImage } from '../../core/vision/image';

export interface CardPose {
  /** Degrees: about the vertical axis, the horizontal axis and the optical axis. */
  yaw: number;
  pitch: number;
  roll: number;
  /** Pixels the card's centre moved in the frame. */
  tx: number;
  ty: number;
  /** The card's size in the frame, relative to the source picture, when facing the camera. */
  scale: number;
}

export interface CardLook {
  /** Output frame size (the card's source may be another size). */
  width: number;
  height: number;
  /** Focal length in pixels (0.8-1.6 frame widths: a webcam's field of view). */
  focal: number;
  /** Curvature of a bent card: 1/R in units of the card's half width (0 is flat); sign: towards or away from the camera. */
  bend: number;
  /** The axis the card is bent around ('vertical': the card curls left-right). */
  bendAxis: 'vertical' | 'horizontal';
  /** Per-channel gains (white balance times brightness). */
  gains: [number, number, number];
  /** Grey level of the desk or wall behind the card. */
  background: number;
  /** Standard deviation of the camera's per-frame noise, grey levels. */
  sensorNoise: number;
}

const GRID_X = 40;
const GRID_Y = 30;

/** The card's picture with paper grain (fixed in the card: it moves with it), 0..255 floats. */
export function paperTexture(src: RgbaImage, grain: number, random: () => number): Float32Array {
  const out = new Float32Array(src.width * src.height * 3);
  for (let i = 0; i < src.width * src.height; i++) {
    const g = grain * (random() + random() + random() - 1.5) * 1.4;
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.min(255, Math.max(0, src.data[4 * i + c]! + g));
  }
  return out;
}

/** A hand holding the card at one edge: a palm off the edge and four fingers reaching in over the picture. */
export function paintHand(card: Float32Array, width: number, height: number, side: 'left' | 'right' | 'bottom', reach: number, random: () => number): void {
  const skin = [190 + 40 * random(), 135 + 35 * random(), 105 + 30 * random()];
  const along = side === 'bottom' ? width : height;
  const centre = along * (0.35 + 0.3 * random());
  const fingerLen = reach * (side === 'bottom' ? height : width);
  const fingerW = along * 0.045;
  // Shapes in (a, d) coordinates: a along the edge, d from the edge inwards.
  const inside = (a: number, d: number): number => {
    // Palm: an ellipse centred just outside the edge.
    const palm = ((a - centre) / (along * 0.16)) ** 2 + ((d + along * 0.05) / (along * 0.12)) ** 2;
    if (palm <= 1) return 0.85 + 0.15 * (1 - palm);
    for (let f = 0; f < 4; f++) {
      const fa = centre + (f - 1.5) * fingerW * 1.15;
      const len = fingerLen * (f === 0 || f === 3 ? 0.8 : 1);
      if (d >= 0 && d <= len && Math.abs(a - fa) <= fingerW / 2) {
        const across = Math.abs(a - fa) / (fingerW / 2);
        return 0.75 + 0.25 * Math.sqrt(1 - across * across);
      }
    }
    return 0;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [a, d] = side === 'left' ? [y, x] : side === 'right' ? [y, width - 1 - x] : [x, height - 1 - y];
      const shade = inside(a, d);
      if (shade === 0) continue;
      for (let c = 0; c < 3; c++) card[3 * (y * width + x) + c] = skin[c]! * shade;
    }
  }
}

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Where each grid vertex of the card lands in the frame: [x, y, depth] per vertex. */
function project(srcW: number, srcH: number, pose: CardPose, look: CardLook): Float64Array {
  const out = new Float64Array((GRID_X + 1) * (GRID_Y + 1) * 3);
  const [cy, sy] = [Math.cos(rad(pose.yaw)), Math.sin(rad(pose.yaw))];
  const [cp, sp] = [Math.cos(rad(pose.pitch)), Math.sin(rad(pose.pitch))];
  const [cr, sr] = [Math.cos(rad(pose.roll)), Math.sin(rad(pose.roll))];
  const half = (look.bendAxis === 'vertical' ? srcW : srcH) * pose.scale * 0.5;
  const k = look.bend / half;
  let n = 0;
  for (let j = 0; j <= GRID_Y; j++) {
    for (let i = 0; i <= GRID_X; i++) {
      let X = ((i / GRID_X - 0.5) * srcW) * pose.scale;
      let Y = ((j / GRID_Y - 0.5) * srcH) * pose.scale;
      let Z = 0;
      if (k !== 0) {
        // Arc length along the bent direction is preserved: paper does not stretch.
        const s = look.bendAxis === 'vertical' ? X : Y;
        const R = 1 / k;
        const along = R * Math.sin(s / R);
        Z = -R * (1 - Math.cos(s / R));
        if (look.bendAxis === 'vertical') X = along;
        else Y = along;
      }
      // Roll (in the card's plane), then pitch, then yaw.
      [X, Y] = [cr * X - sr * Y, sr * X + cr * Y];
      [Y, Z] = [cp * Y - sp * Z, sp * Y + cp * Z];
      [X, Z] = [cy * X + sy * Z, -sy * X + cy * Z];
      const depth = look.focal + Z;
      out[n++] = look.width / 2 + pose.tx + (look.focal * X) / depth;
      out[n++] = look.height / 2 + pose.ty + (look.focal * Y) / depth;
      out[n++] = depth;
    }
  }
  return out;
}

/** Draws the card at one pose into `acc` (accumulated, for motion blur), over the background. */
function drawCard(acc: Float32Array, card: Float32Array, srcW: number, srcH: number, pose: CardPose, look: CardLook): void {
  const { width: W, height: H } = look;
  const frame = new Float32Array(W * H * 3).fill(look.background);
  const zbuf = new Float32Array(W * H).fill(Infinity);
  const v = project(srcW, srcH, pose, look);
  const vertex = (i: number, j: number) => 3 * (j * (GRID_X + 1) + i);
  const tri = (a: number, b: number, c: number, ua: number[], ub: number[], uc: number[]) => {
    const [x0, y0, z0, x1, y1, z1, x2, y2, z2] = [v[a]!, v[a + 1]!, v[a + 2]!, v[b]!, v[b + 1]!, v[b + 2]!, v[c]!, v[c + 1]!, v[c + 2]!];
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(area) < 1e-9) return;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    const maxX = Math.min(W - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    const maxY = Math.min(H - 1, Math.ceil(Math.max(y0, y1, y2)));
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area;
        const w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area;
        const w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        const z = w0 * z0 + w1 * z1 + w2 * z2;
        const p = y * W + x;
        if (z >= zbuf[p]!) continue;
        zbuf[p] = z;
        // Bilinear sample of the card's picture.
        const u = Math.min(srcW - 1.001, Math.max(0, w0 * ua[0]! + w1 * ub[0]! + w2 * uc[0]!));
        const s = Math.min(srcH - 1.001, Math.max(0, w0 * ua[1]! + w1 * ub[1]! + w2 * uc[1]!));
        const iu = Math.floor(u);
        const is = Math.floor(s);
        const fu = u - iu;
        const fs = s - is;
        const q = 3 * (is * srcW + iu);
        const r = q + 3 * srcW;
        for (let ch = 0; ch < 3; ch++) {
          const top = card[q + ch]! * (1 - fu) + card[q + 3 + ch]! * fu;
          const bottom = card[r + ch]! * (1 - fu) + card[r + 3 + ch]! * fu;
          frame[3 * p + ch] = top * (1 - fs) + bottom * fs;
        }
      }
    }
  };
  const uvOf = (i: number, j: number) => [(i / GRID_X) * (srcW - 1), (j / GRID_Y) * (srcH - 1)];
  for (let j = 0; j < GRID_Y; j++) {
    for (let i = 0; i < GRID_X; i++) {
      tri(vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1), uvOf(i, j), uvOf(i + 1, j), uvOf(i + 1, j + 1));
      tri(vertex(i, j), vertex(i + 1, j + 1), vertex(i, j + 1), uvOf(i, j), uvOf(i + 1, j + 1), uvOf(i, j + 1));
    }
  }
  for (let i = 0; i < acc.length; i++) acc[i]! += frame[i]!;
}

/** One camera frame: the card at each of `poses` (one pose, or several across the exposure for motion blur) averaged, lit, with sensor noise. */
export function renderFrame(card: Float32Array, srcW: number, srcH: number, poses: readonly CardPose[], look: CardLook, random: () => number): Uint8Array {
  const acc = new Float32Array(look.width * look.height * 3);
  for (const p of poses) drawCard(acc, card, srcW, srcH, p, look);
  const out = new Uint8Array(look.width * look.height * 4);
  for (let i = 0; i < look.width * look.height; i++) {
    const noise = look.sensorNoise > 0 ? look.sensorNoise * (random() + random() + random() - 1.5) * 2 : 0;
    for (let c = 0; c < 3; c++) out[4 * i + c] = Math.min(255, Math.max(0, Math.round((acc[3 * i + c]! / poses.length) * look.gains[c]! + noise)));
    out[4 * i + 3] = 255;
  }
  return out;
}
