// The face pipeline hosted in Node (onnxruntime-web's WASM backend): for the command line, and the
// evaluators, benchmarks and tests through test/support/node-pipeline.ts. Model files come from one
// folder (the app's models/); the sessions themselves are created in core/vision/sessions.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { FacePipeline } from '../../../core/vision/pipeline';
import type { SessionOptions } from '../../../core/vision/sessions';

export function modelLoader(modelsDir: string): (file: string) => Promise<Uint8Array> {
  return async (file) => new Uint8Array(await readFile(join(modelsDir, file)));
}

export function createHostPipeline(modelsDir: string, options: SessionOptions = {}): Promise<FacePipeline> {
  return FacePipeline.create(ort, modelLoader(modelsDir), { backend: 'wasm', ...options });
}
