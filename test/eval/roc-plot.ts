// A small ROC plot (TAR against log-scaled FAR) written as PNG, with no plotting library.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { RocPoint } from '../../core/matching/metrics';

const W = 640;
const H = 480;
const M = { left: 60, right: 20, top: 20, bottom: 50 };
const FAR_MIN = 1e-4;

export function writeRocPng(file: string, roc: readonly RocPoint[], marks: readonly number[] = [1e-3]): void {
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const set = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= W || yi >= H) return;
    const i = (yi * W + xi) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, c: [number, number, number], thick = 1) => {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let d = -(thick >> 1); d <= thick >> 1; d++) {
        set(x, y + d, c);
        set(x + d, y, c);
      }
    }
  };
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  // x: log10 FAR from 1e-4 to 1; y: TAR from 0.9 to 1 (where the interesting part of a good ROC is).
  const tarMin = 0.9;
  const px = (far: number) => M.left + ((Math.log10(Math.max(far, FAR_MIN)) - Math.log10(FAR_MIN)) / -Math.log10(FAR_MIN)) * pw;
  const py = (tar: number) => M.top + (1 - (Math.max(tar, tarMin) - tarMin) / (1 - tarMin)) * ph;
  const grey: [number, number, number] = [200, 200, 200];
  for (let e = -4; e <= 0; e++) line(px(10 ** e), M.top, px(10 ** e), M.top + ph, grey);
  for (let t = tarMin; t <= 1.0001; t += 0.02) line(M.left, py(t), M.left + pw, py(t), grey);
  for (const far of marks) line(px(far), M.top, px(far), M.top + ph, [230, 150, 60]);
  line(M.left, M.top + ph, M.left + pw, M.top + ph, [0, 0, 0], 2);
  line(M.left, M.top, M.left, M.top + ph, [0, 0, 0], 2);
  let prev: RocPoint | undefined;
  for (const p of roc) {
    if (p.far > 0 && prev) line(px(prev.far), py(prev.tar), px(p.far), py(prev.tar), [30, 90, 200], 3);
    if (p.far > 0 && prev) line(px(p.far), py(prev.tar), px(p.far), py(p.tar), [30, 90, 200], 3);
    prev = p;
  }
  writeFileSync(file, PNG.sync.write(png));
}

/** The same plot as SVG, with axis labels and a title (the PNG has no font to draw text with). */
export function writeRocSvg(file: string, roc: readonly RocPoint[], title: string, marks: readonly number[] = [1e-3]): void {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const tarMin = 0.9;
  const px = (far: number) => M.left + ((Math.log10(Math.max(far, FAR_MIN)) - Math.log10(FAR_MIN)) / -Math.log10(FAR_MIN)) * pw;
  const py = (tar: number) => M.top + (1 - (Math.max(tar, tarMin) - tarMin) / (1 - tarMin)) * ph;
  const parts: string[] = [];
  for (let e = -4; e <= 0; e++) {
    parts.push(`<line x1="${px(10 ** e)}" y1="${M.top}" x2="${px(10 ** e)}" y2="${M.top + ph}" stroke="#ccc"/>`);
    parts.push(`<text x="${px(10 ** e)}" y="${M.top + ph + 18}" text-anchor="middle">1e${e}</text>`);
  }
  for (let t = 0; t <= 5; t++) {
    const tar = tarMin + t * 0.02;
    parts.push(`<line x1="${M.left}" y1="${py(tar)}" x2="${M.left + pw}" y2="${py(tar)}" stroke="#ccc"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py(tar) + 4}" text-anchor="end">${tar.toFixed(2)}</text>`);
  }
  for (const far of marks) parts.push(`<line x1="${px(far)}" y1="${M.top}" x2="${px(far)}" y2="${M.top + ph}" stroke="#e6963c"/>`);
  let d = '';
  let prev: RocPoint | undefined;
  for (const p of roc) {
    if (p.far > 0 && prev) d += `${d ? 'L' : 'M'}${px(prev.far).toFixed(1)},${py(prev.tar).toFixed(1)}L${px(p.far).toFixed(1)},${py(prev.tar).toFixed(1)}L${px(p.far).toFixed(1)},${py(p.tar).toFixed(1)}`;
    prev = p;
  }
  parts.push(`<path d="${d}" fill="none" stroke="#1e5ac8" stroke-width="2.5"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">false accept rate (log scale)</text>`);
  parts.push(`<text x="16" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${M.top + ph / 2})">true accept rate</text>`);
  parts.push(`<text x="${M.left + 8}" y="${M.top + 16}">${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  writeFileSync(
    file,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`,
  );
}
