// The int8 embedder made by `npm run models:quantize` (not shipped; measured by eval:quantised): it loads,
// and its templates of real LFW faces stay close to the float model's. Also checks the onnx.proto subset
// the quantiser rewrites models with: a float model decoded and re-encoded gives the same outputs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine, l2normalise } from '../../core/hypersphere';
import { alignedTensor } from '../../core/vision/align';
import type { FacePipeline } from '../../core/vision/pipeline';
import { locateLfwFace } from '../eval/embeddings';
import { decodeModel, encodeModel } from '../eval/onnx-proto';
import { hasQuantised, noQuantisedReason, quantisedPath } from '../eval/quantised-model';
import { createNodePipeline, modelsDir } from '../support/node-pipeline';
import { hasLfw, lfwImage, noLfwReason, skipReason, titled } from '../support/shared';

const FACES = [lfwImage('Aaron_Peirsol', 1), lfwImage('Colin_Powell', 1), lfwImage('Serena_Williams', 1), lfwImage('Hugo_Chavez', 1)];
const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' as const, logSeverityLevel: 3 as const };

let pipeline: FacePipeline;
let crops: ort.Tensor[] = [];
const reason = skipReason(!hasLfw && noLfwReason);

beforeAll(async () => {
  if (reason) return;
  pipeline = await createNodePipeline({ threads: 1 });
  for (const path of FACES) {
    const { img, points } = await locateLfwFace(pipeline, path);
    crops.push(new ort.Tensor('float32', alignedTensor(img, points), [1, 3, 112, 112]));
  }
});
afterAll(async () => {
  crops = [];
  await pipeline?.release();
});

async function templates(session: ort.InferenceSession): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const input of crops) out.push(l2normalise((await session.run({ input })).output?.data as Float32Array));
  return out;
}

describe.skipIf(reason)(titled('onnx.proto subset', reason), () => {
  it('re-encodes the float embedder into a model that gives the same templates', async () => {
    const bytes = readFileSync(join(modelsDir, 'fr_feature.onnx'));
    const again = encodeModel(decodeModel(bytes));
    const [a, b] = await Promise.all([ort.InferenceSession.create(bytes, options), ort.InferenceSession.create(again, options)]);
    const [ta, tb] = [await templates(a), await templates(b)];
    for (const [i, t] of ta.entries()) expect(cosine(t, tb[i] as Float32Array)).toBeGreaterThan(0.999999);
    await Promise.all([a.release(), b.release()]);
  });
});

const quantisedReason = skipReason(reason, !hasQuantised && noQuantisedReason);
describe.skipIf(quantisedReason)(titled('int8 embedder', quantisedReason), () => {
  it('loads and gives templates within cosine 0.98 of the float model on real LFW faces', async () => {
    const float = await ort.InferenceSession.create(readFileSync(join(modelsDir, 'fr_feature.onnx')), options);
    const int8 = await ort.InferenceSession.create(readFileSync(quantisedPath), options);
    const [tf, tq] = [await templates(float), await templates(int8)];
    const cosines = tf.map((t, i) => cosine(t, tq[i] as Float32Array));
    console.log(`int8 vs float template cosine: ${cosines.map((c) => c.toFixed(4)).join(', ')}`);
    for (const c of cosines) expect(c).toBeGreaterThan(0.98);
    // And it still tells people apart: each face is nearer its own float template than any other's.
    for (const [i, t] of tq.entries()) {
      const nearest = tf.map((u) => cosine(t, u)).reduce((best, c, j, all) => (c > (all[best] as number) ? j : best), 0);
      expect(nearest).toBe(i);
    }
    await Promise.all([float.release(), int8.release()]);
  });
});
