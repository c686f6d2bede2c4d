// The face pipeline hosted in Node (WASM backend), for the evaluator, benchmarks and tests: the same
// one the command line uses (electron/services/vision), over this checkout's models/.
import { join } from 'node:path';
import type { FacePipeline } from '../../core/vision/pipeline';
import type { SessionOptions } from '../../core/vision/sessions';
import { createHostPipeline, modelLoader } from '../../electron/services/vision/pipeline';
import { repoRoot } from './shared';

export const modelsDir = join(repoRoot, 'models');

export const loadModelFile: (file: string) => Promise<Uint8Array> = modelLoader(modelsDir);

export function createNodePipeline(options: SessionOptions = {}): Promise<FacePipeline> {
  return createHostPipeline(modelsDir, options);
}
