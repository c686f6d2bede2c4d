// The planarity test: a photo or a screen is flat, so however it is moved, tilted or turned in
// front of the camera its landmarks move by one homography (a plane seen by a pinhole camera). A
// real head does not: when it turns or nods, the nose moves with parallax against the rest of the
// face. The landmarks of a strongly turned picture are themselves distorted (the landmark model
// reads a squeezed face as best it can), so a homography residual over all of them is noisy; the
// test instead fits a homography to the face-plane landmarks only and measures how far the nose
// left the place that homography gives it (noseParallax), against the plane's own foreshortening.
// A similarity fit (deformation) says how far a face changed shape beyond moving in its own plane.

/** Landmarks that move rigidly with the head: jaw, brows, nose, eye and mouth corners. Eyelids and lips are left out (a blink or a word moves them on a photo-flipbook as on a face). */
export const RIGID_LANDMARKS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45, 48, 54,
];

/** Share of points kept after the worst are dropped: a landmark model misplaces a few points now and then. */
const KEEP = 0.8;

type Pts = Float64Array; // x0, y0, x1, y1...

function pick(lm: ArrayLike<number>, indices: readonly number[]): Pts {
  const out = new Float64Array(indices.length * 2);
  indices.forEach((i, k) => {
    out[2 * k] = lm[2 * i] as number;
    out[2 * k + 1] = lm[2 * i + 1] as number;
  });
  return out;
}

/** Hartley's normalisation: centroid at 0, mean distance sqrt(2); returns the points and [s, cx, cy]. */
function normalise(p: Pts): { q: Pts; s: number; cx: number; cy: number } {
  const n = p.length / 2;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += p[2 * i]!;
    cy += p[2 * i + 1]!;
  }
  cx /= n;
  cy /= n;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.hypot(p[2 * i]! - cx, p[2 * i + 1]! - cy);
  const s = d > 0 ? (Math.SQRT2 * n) / d : 1;
  const q = new Float64Array(p.length);
  for (let i = 0; i < n; i++) {
    q[2 * i] = (p[2 * i]! - cx) * s;
    q[2 * i + 1] = (p[2 * i + 1]! - cy) * s;
  }
  return { q, s, cx, cy };
}

/** Eigenvector of the smallest eigenvalue of a symmetric n x n matrix (cyclic Jacobi). */
function smallestEigenvector(m: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (a[i * n + i]! < a[best * n + best]!) best = i;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = v[k * n + best]!;
  return out;
}

/** 3x3 homography (row-major) mapping src to dst by the normalised DLT, or null when degenerate. */
export function fitHomography(src: Pts, dst: Pts, weights?: Uint8Array): Float64Array | null {
  const a = normalise(src);
  const b = normalise(dst);
  const n = src.length / 2;
  const ata = new Float64Array(81);
  const row = new Float64Array(9);
  const add = () => {
    for (let i = 0; i < 9; i++) for (let j = i; j < 9; j++) ata[i * 9 + j]! += row[i]! * row[j]!;
  };
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (weights && !weights[i]) continue;
    used++;
    const x = a.q[2 * i]!;
    const y = a.q[2 * i + 1]!;
    const u = b.q[2 * i]!;
    const w = b.q[2 * i + 1]!;
    row.set([-x, -y, -1, 0, 0, 0, u * x, u * y, u]);
    add();
    row.set([0, 0, 0, -x, -y, -1, w * x, w * y, w]);
    add();
  }
  if (used < 5) return null;
  for (let i = 0; i < 9; i++) for (let j = 0; j < i; j++) ata[i * 9 + j] = ata[j * 9 + i]!;
  const h = smallestEigenvector(ata, 9);
  // Undo the normalisations: H = Tb^-1 * Hn * Ta.
  const ta = [a.s, 0, -a.s * a.cx, 0, a.s, -a.s * a.cy, 0, 0, 1];
  const tbInv = [1 / b.s, 0, b.cx, 0, 1 / b.s, b.cy, 0, 0, 1];
  const out = mul(tbInv, mul(Array.from(h), ta));
  if (!out.every(Number.isFinite) || Math.abs(out[8]!) < 1e-12) return null;
  return Float64Array.from(out, (x) => x / out[8]!);
}

/** The product of two 3x3 matrices, row-major. */
export function mul(p: ArrayLike<number>, q: ArrayLike<number>): number[] {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) r[i * 3 + j]! += (p[i * 3 + k] as number) * (q[k * 3 + j] as number);
  return r;
}

/** Where the homography `h` carries the point (x, y). */
function apply(h: Float64Array, x: number, y: number): [number, number] {
  const z = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / z, (h[3]! * x + h[4]! * y + h[5]!) / z];
}

/** Least-squares similarity (scale, rotation, translation) from src to dst; errors per point. */
function similarityErrors(src: Pts, dst: Pts, weights?: Uint8Array): Float64Array {
  const n = src.length / 2;
  let sx = 0, sy = 0, dx = 0, dy = 0, m = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    if (weights && !weights[i]) continue;
    sx += src[2 * i]!;
    sy += src[2 * i + 1]!;
    dx += dst[2 * i]!;
    dy += dst[2 * i + 1]!;
    m++;
  }
  sx /= m;
  sy /= m;
  dx /= m;
  dy /= m;
  let a = 0, b = 0, ss = 0; // prettier-ignore
  for (let i = 0; i < n; i++) {
    if (weights && !weights[i]) continue;
    const x = src[2 * i]! - sx;
    const y = src[2 * i + 1]! - sy;
    const u = dst[2 * i]! - dx;
    const v = dst[2 * i + 1]! - dy;
    a += x * u + y * v;
    b += x * v - y * u;
    ss += x * x + y * y;
  }
  a /= ss || 1;
  b /= ss || 1;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = src[2 * i]! - sx;
    const y = src[2 * i + 1]! - sy;
    e[i] = Math.hypot(a * x - b * y + dx - dst[2 * i]!, b * x + a * y + dy - dst[2 * i + 1]!);
  }
  return e;
}

/** Root mean square of the smallest KEEP share of the errors, and the mask of those points. */
function trimmed(e: Float64Array): { rms: number; mask: Uint8Array } {
  const order = Array.from(e.keys()).sort((i, j) => e[i]! - e[j]!);
  const keep = Math.max(5, Math.round(e.length * KEEP));
  const mask = new Uint8Array(e.length);
  let sum = 0;
  for (const i of order.slice(0, keep)) {
    mask[i] = 1;
    sum += e[i]! ** 2;
  }
  return { rms: Math.sqrt(sum / keep), mask };
}

function rms(e: Float64Array): number {
  let sum = 0;
  for (const x of e) sum += x * x;
  return Math.sqrt(sum / e.length);
}

/**
 * How far the rigid landmarks moved from `ref` to `frame` (both 68-point x, y arrays) beyond sliding,
 * spinning and scaling in the image plane: the RMS residual of the best similarity, fitted without
 * the points it explained worst (a misplaced landmark is not a change of shape), in `ref`'s
 * inter-ocular distances.
 */
export function deformation(ref: ArrayLike<number>, frame: ArrayLike<number>, interocular: number): number {
  const src = pick(ref, RIGID_LANDMARKS);
  const dst = pick(frame, RIGID_LANDMARKS);
  return rms(similarityErrors(src, dst, trimmed(similarityErrors(src, dst)).mask)) / Math.max(1e-6, interocular);
}

/**
 * Landmarks that lie close to one plane on a real face (brows, eye corners, mouth corners: within
 * about 0.1 inter-ocular distances of it), and the nose, which stands in front of that plane (the tip
 * about half an inter-ocular distance, the nostrils about a quarter).
 */
export const FACE_PLANE: readonly number[] = [17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 36, 39, 42, 45, 48, 54];
export const NOSE: readonly number[] = [30, 31, 32, 33, 34, 35];

export interface NoseParallax {
  /** How far the nose moved beyond where the face plane's homography carries it, inter-ocular distances (the mean displacement of the nose points). */
  parallax: number;
  /** How far the face plane itself moved beyond a similarity: the foreshortening of a turn, inter-ocular distances (RMS). */
  foreshortening: number;
}

/**
 * The nose's parallax between two frames: a homography fitted to the face-plane landmarks alone
 * says where the nose would be if it lay in that plane (as it does on a photo, however turned or
 * seen in perspective); a real nose turning with the head leaves it by its depth times the sine of
 * the turn. The nose points' mean displacement is used, not each point's: they move together while
 * their jitter does not.
 */
/** The face plane's homography from `ref` to `frame` (68-point landmark arrays), fitted to FACE_PLANE alone; null when degenerate. */
export function facePlaneHomography(ref: ArrayLike<number>, frame: ArrayLike<number>): Float64Array | null {
  return fitHomography(pick(ref, FACE_PLANE), pick(frame, FACE_PLANE));
}

export function noseParallax(ref: ArrayLike<number>, frame: ArrayLike<number>, interocular: number): NoseParallax | null {
  const src = pick(ref, FACE_PLANE);
  const dst = pick(frame, FACE_PLANE);
  const scale = Math.max(1e-6, interocular);
  const h = fitHomography(src, dst);
  if (!h) return null;
  const nSrc = pick(ref, NOSE);
  const nDst = pick(frame, NOSE);
  let dx = 0;
  let dy = 0;
  const n = NOSE.length;
  for (let i = 0; i < n; i++) {
    const [u, v] = apply(h, nSrc[2 * i]!, nSrc[2 * i + 1]!);
    dx += nDst[2 * i]! - u;
    dy += nDst[2 * i + 1]! - v;
  }
  return { parallax: Math.hypot(dx / n, dy / n) / scale, foreshortening: rms(similarityErrors(src, dst)) / scale };
}
