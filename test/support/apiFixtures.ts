// Shared by the contract, host, fuzz and e2e tests: a temp data folder with its own calibration, and
// synthetic unit templates clustered per person (real LFW embeddings replace them in the e2e test).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `normface-${prefix}-`));
}

/** A calibration file shaped like models/calibration.json, with round thresholds. */
export function writeCalibration(dir: string): string {
  const path = join(dir, 'calibration.json');
  writeFileSync(path, JSON.stringify({ modelId: 'test', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 }, fnmr: { '1e-3': 0.01, '1e-4': 0.02, '1e-5': 0.05 } }));
  return path;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

/** `count` templates of one synthetic person: a random centre plus small noise (cosine about 0.9). */
export function personTemplates(seed: number, count: number): Float32Array[] {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centre = unit(Float32Array.from({ length: 512 }, gauss));
  return Array.from({ length: count }, () => unit(centre.map((c) => c + 0.02 * gauss())));
}
