// Shared by the contract, host, fuzz and e2e tests: a temp data folder with its own calibration, and
// synthetic unit templates clustered per person (real LFW embeddings replace them in the e2e test).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { l2normalise } from '../../core/hypersphere';
import { seededRandom } from '../../native-train/prng';

export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `normface-${prefix}-`));
}

/** A calibration file shaped like models/calibration.json, with round thresholds. */
export function writeCalibration(dir: string): string {
  const path = join(dir, 'calibration.json');
  writeFileSync(path, JSON.stringify({ modelId: 'test', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 }, fnmr: { '1e-3': 0.01, '1e-4': 0.02, '1e-5': 0.05 } }));
  return path;
}

/** `count` templates of one synthetic person: a random centre plus small noise (cosine about 0.9). */
export function personTemplates(seed: number, count: number): Float32Array[] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centre = l2normalise(Float32Array.from({ length: 512 }, gauss));
  return Array.from({ length: count }, () => l2normalise(centre.map((c) => c + 0.02 * gauss())));
}
