// Where the int8 embedder made by quantize.ts (npm run models:quantize) lives and the id its LFW
// templates are cached under: the file's own hash, so a re-made file never reuses stale templates.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir } from '../support/node-pipeline';

export const QUANTISED_FILE = 'fr_feature_int8.onnx';
/** What `npm run models:quantize` makes with its defaults here (the file eval:quantised's README figures are of). */
export const QUANTISED_SHA256 = 'b85036792d985a41bf80eaa52a8772c2f0a477b9e46a2b986de44d8ade65ff88';
export const quantisedPath = join(modelsDir, QUANTISED_FILE);
export const hasQuantised = existsSync(quantisedPath);
export const noQuantisedReason = `models/${QUANTISED_FILE} is absent (make it with "npm run models:quantize")`;

export function quantisedModel(): { file: string; sha256: string; modelId: string } {
  if (!existsSync(quantisedPath)) throw new Error(`${noQuantisedReason}.`);
  const sha256 = createHash('sha256').update(readFileSync(quantisedPath)).digest('hex');
  return { file: QUANTISED_FILE, sha256, modelId: `fr_feature_int8@${sha256.slice(0, 8)}` };
}
