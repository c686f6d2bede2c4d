// The face pipeline hosted in Node (WASM backend), for the evaluator, benchmarks and tests.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { FacePipeline } from '../../core/vision/pipeline';
import type { SessionOptions } from '../../core/vision/sessions';
import { repoRoot } from './shared';

export const modelsDir = join(repoRoot, 'models');

export async function loadModelFile(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(modelsDir, file)));
}

export function createNodePipeline(options: SessionOptions = {}): Promise<FacePipeline> {
  return FacePipeline.create(ort, loadModelFile, { backend: 'wasm', ...options });
}
