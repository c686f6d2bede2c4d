// The planarity test on pixels. Every point of a photo or a screen, however it is held, moves by one
// homography between two frames, so one homography (and a change of brightness) carries the face's
// picture in one frame onto its picture in another, nose, cheeks and contour alike. A real head that
// turned cannot be carried so: the nose hides part of a cheek, the contour slides over the
// background. surfaceResidual aligns the face patch of a frame to the reference frame's by the best
// homography (Levenberg-Marquardt from the landmarks' one) and says how much of the picture it could not explain.
import { PATCH_SIZE, type FacePatch } from '../vision/patch';
import { mul } from './planarity';

/** Landmarks whose hull is the region compared: jaw and brows (the whole face)... */
const HULL: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17];
/** ...less the eyes and the mouth, grown about their centres by these factors: eyelids and lips move on a flipbook of photos as on a face. */
const HOLES: readonly { points: readonly number[]; grow: number }[] = [
  { points: [36, 37, 38, 39, 40, 41], grow: 2 },
  { points: [42, 43, 44, 45, 46, 47], grow: 2 },
  { points: [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59], grow: 1.4 },
];

type H = Float64Array; // 3x3 row-major

/** Patch pixel (u, v) -> frame pixel, and back (pixel centres at integers, as facePatch samples). */
function toFrame(p: FacePatch): H {
  const s = p.size / PATCH_SIZE;
  return Float64Array.from([s, 0, p.x + 0.5 * s - 0.5, 0, s, p.y + 0.5 * s - 0.5, 0, 0, 1]);
}
function fromFrame(p: FacePatch): H {
  const s = PATCH_SIZE / p.size;
  return Float64Array.from([s, 0, (0.5 - p.x) * s - 0.5, 0, s, (0.5 - p.y) * s - 0.5, 0, 0, 1]);
}

/** A Gaussian blur of an n x n image, as two passes of one kernel (along rows, then along columns; cut at the border). */
function blur(src: Float32Array, n: number, sigma: number): Float32Array {
  if (sigma <= 0) return src;
  const r = Math.ceil(2.5 * sigma);
  const w = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const pass = (from: Float32Array, along: 'row' | 'column') => {
    const to = new Float32Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const at = along === 'row' ? x : y;
        let sum = 0;
        let weight = 0;
        for (let i = Math.max(-r, -at); i <= Math.min(r, n - 1 - at); i++) {
          sum += w[i + r]! * from[along === 'row' ? y * n + x + i : (y + i) * n + x]!;
          weight += w[i + r]!;
        }
        to[y * n + x] = sum / weight;
      }
    }
    return to;
  };
  return pass(pass(src, 'row'), 'column');
}

/** Bilinear value and gradient at (x, y) into `out`; false outside the patch. Writes into `out`: it runs for every point of every step. */
function sample(img: Float32Array, n: number, x: number, y: number, out: Float64Array): boolean {
  if (!(x >= 0 && y >= 0 && x <= n - 1.001 && y <= n - 1.001)) return false;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const a = img[y0 * n + x0]!;
  const b = img[y0 * n + x0 + 1]!;
  const c = img[(y0 + 1) * n + x0]!;
  const d = img[(y0 + 1) * n + x0 + 1]!;
  out[0] = a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
  out[1] = b - a + (a - b - c + d) * fy;
  out[2] = c - a + (a - b - c + d) * fx;
  return true;
}

function insideHull(hull: [number, number][], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = hull.length - 1; i < hull.length; j = i++) {
    const [xi, yi] = hull[i]!;
    const [xj, yj] = hull[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    if (Math.abs(m[p * n + c]!) < 1e-12) return null;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k]!, m[c * n + k]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / m[c * n + c]!;
      for (let k = c; k < n; k++) m[r * n + k]! -= f * m[c * n + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c]!;
    for (let k = c + 1; k < n; k++) s -= m[c * n + k]! * x[k]!;
    x[c] = s / m[c * n + c]!;
  }
  return x;
}

export interface SurfaceFrame {
  patch: FacePatch;
  landmarks: ArrayLike<number>;
}

/**
 * What share of the reference face's picture (its standard deviation) the best homography and
 * brightness change from `ref` to `cur` leave unexplained; `h0` is a first guess in frame pixels
 * (the face plane's homography from the landmarks). Null when too little of the face overlaps.
 */
export function surfaceResidual(ref: SurfaceFrame, cur: SurfaceFrame, h0: ArrayLike<number>, sigmas: readonly number[] = [2, 1]): number | null {
  const n = PATCH_SIZE;
  // Work in centred patch coordinates scaled to about +-1, for a well-conditioned solve.
  const c = n / 2;
  const norm = Float64Array.from([1 / c, 0, -1, 0, 1 / c, -1, 0, 0, 1]);
  const denorm = Float64Array.from([c, 0, c, 0, c, c, 0, 0, 1]);
  const g = mul(norm, mul(fromFrame(cur.patch), mul(h0, mul(toFrame(ref.patch), denorm))));
  const toRef = fromFrame(ref.patch);
  const inPatch = (i: number): [number, number] => [toRef[0]! * (ref.landmarks[2 * i] as number) + toRef[2]!, toRef[4]! * (ref.landmarks[2 * i + 1] as number) + toRef[5]!];
  const hull = HULL.map(inPatch);
  const holes = HOLES.map(({ points, grow }) => {
    const p = points.map(inPatch);
    const cx = p.reduce((a, q) => a + q[0], 0) / p.length;
    const cy = p.reduce((a, q) => a + q[1], 0) / p.length;
    return p.map(([x, y]): [number, number] => [cx + grow * (x - cx), cy + grow * (y - cy)]);
  });
  const region: number[] = [];
  for (let v = 0; v < n; v += STRIDE) for (let u = 0; u < n; u += STRIDE) if (insideHull(hull, u, v) && !holes.some((h) => insideHull(h, u, v))) region.push(v * n + u);
  if (region.length < MIN_POINTS) return null;
  const refF = Float32Array.from(ref.patch.luma);
  const curF = Float32Array.from(cur.patch.luma);
  // The unknowns: the homography's eight entries, then gain and bias of the brightness.
  let params = Float64Array.from([...g.slice(0, 8).map((v) => v / g[8]!), 1, 0]);
  let result: number | null = null;
  // Where the other frame shows the face squeezed (a picture turned away), the reference's finer detail
  // is not in it to be found: the reference is blurred to the detail the squeezed view keeps.
  const squeeze = smallestStretch(params);
  const extra = squeeze < 1 ? 0.5 * Math.sqrt(1 / (squeeze * squeeze) - 1) : 0;
  for (const sigma of sigmas) {
    const T = blur(refF, n, Math.hypot(sigma, extra));
    const I = blur(curF, n, sigma);
    const pts = region.map((i): [number, number, number] => [((i % n) - c) / c, (Math.floor(i / n) - c) / c, T[i]!]);
    let mean = 0;
    for (const p of pts) mean += p[2];
    mean /= pts.length;
    let sd = 0;
    for (const p of pts) sd += (p[2] - mean) ** 2;
    sd = Math.sqrt(sd / pts.length) || 1;
    let at = fitState(pts, I, n, params);
    if (!at) return null;
    // Levenberg-Marquardt: a step that does not lower the residual is undone and the next one damped more.
    let damping = 1e-3;
    for (let it = 0; it < ITERATIONS && damping < 1e6; it++) {
      const A = Float64Array.from(at.A);
      for (let i = 0; i < 10; i++) A[i * 10 + i]! *= 1 + damping;
      const d = solve(A, at.B, 10);
      if (!d) break;
      const next = params.map((v, i) => v + d[i]!);
      const tried = fitState(pts, I, n, next);
      if (tried && tried.rms < at.rms) {
        params = next;
        at = tried;
        damping /= 3;
        let step = 0;
        for (let i = 0; i < 8; i++) step += d[i]! ** 2;
        if (step < 1e-10) break;
      } else damping *= 10;
    }
    result = at.rms / sd;
  }
  return result;
}

/** The smaller singular value of the warp's Jacobian at the patch centre: how much it squeezes the face along its most squeezed direction. */
function smallestStretch(p: Float64Array): number {
  const a = p[0]! - p[2]! * p[6]!;
  const b = p[1]! - p[2]! * p[7]!;
  const c = p[3]! - p[5]! * p[6]!;
  const d = p[4]! - p[5]! * p[7]!;
  const s = a * a + b * b + c * c + d * d;
  const det = Math.abs(a * d - b * c);
  return Math.sqrt(Math.max(0, (s - Math.sqrt(Math.max(0, s * s - 4 * det * det))) / 2));
}

/** Points whose warped place must lie in the other patch for a fit to count; fewer and the face is not compared. */
const MIN_POINTS = 60;
/** Every STRIDE-th pixel of the patch in each direction is compared: the fit runs within a login's frame budget, and the blurred patch varies little between neighbours. */
const STRIDE = 2;
const ITERATIONS = 15;

/**
 * The residual of the warp `p` (homography entries g0..g7 with g8 = 1, then gain and bias) over the
 * points, and the normal equations of its Gauss-Newton step; null when half the points leave the patch.
 */
function fitState(pts: readonly [number, number, number][], I: Float32Array, n: number, p: Float64Array): { rms: number; A: Float64Array; B: Float64Array } | null {
  const c = n / 2;
  const [gain, bias] = [p[8]!, p[9]!];
  const A = new Float64Array(100);
  const B = new Float64Array(10);
  const J = new Float64Array(10);
  const s = new Float64Array(3);
  let res = 0;
  let used = 0;
  for (const [x, y, t] of pts) {
    const w = p[6]! * x + p[7]! * y + 1;
    const X = (p[0]! * x + p[1]! * y + p[2]!) / w;
    const Y = (p[3]! * x + p[4]! * y + p[5]!) / w;
    if (!sample(I, n, X * c + c, Y * c + c, s)) continue;
    const val = s[0]!;
    const gx = (s[1]! * c * gain) / w;
    const gy = (s[2]! * c * gain) / w;
    const gxy = -(gx * X + gy * Y);
    const e = gain * val + bias - t;
    J[0] = gx * x;
    J[1] = gx * y;
    J[2] = gx;
    J[3] = gy * x;
    J[4] = gy * y;
    J[5] = gy;
    J[6] = gxy * x;
    J[7] = gxy * y;
    J[8] = val;
    J[9] = 1;
    for (let i = 0; i < 10; i++) {
      B[i]! -= J[i]! * e;
      for (let j = i; j < 10; j++) A[i * 10 + j]! += J[i]! * J[j]!;
    }
    res += e * e;
    used++;
  }
  if (used < pts.length / 2) return null;
  for (let i = 0; i < 10; i++) for (let j = 0; j < i; j++) A[i * 10 + j] = A[j * 10 + i]!;
  return { rms: Math.sqrt(res / used), A, B };
}
