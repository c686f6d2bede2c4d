// Where the int8 embedder made by quantize.ts (npm run models:quantize) lives and the id its LFW
// templates are cached under: the file's own hash, so a re-made file never reuses stale templates.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir } from '../support/node-pipeline';

export const QUANTISED_FILE = 'fr_feature_int8.onnx';
export const quantisedPath = join(modelsDir, QUANTISED_FILE);
export const hasQuantised = existsSync(quantisedPath);
export const noQuantisedReason = `models/${QUANTISED_FILE} is absent (make it with "npm run models:quantize")`;

export function quantisedModel(): { file: string; sha256: string; modelId: string } {
  if (!existsSync(quantisedPath)) throw new Error(`${noQuantisedReason}.`);
  const sha256 = createHash('sha256').update(readFileSync(quantisedPath)).digest('hex');
  return { file: QUANTISED_FILE, sha256, modelId: `fr_feature_int8@${sha256.slice(0, 8)}` };
}
