// The face pipeline hosted in Node (onnxruntime-node, else WASM; NORMFACE_RUNTIME or `runtime` chooses),
// for the evaluator, benchmarks and tests: the same one the command line uses (electron/services/vision),
// over this checkout's models/.
import { join } from 'node:path';
import type { FacePipeline } from '../../core/vision/pipeline';
import { createHostPipeline, modelLoader, runtimeFromEnvironment, type HostPipelineOptions } from '../../electron/services/vision/pipeline';
import { repoRoot } from './shared';

export const modelsDir = join(repoRoot, 'models');

export const loadModelFile: (file: string) => Promise<Uint8Array> = modelLoader(modelsDir);

export function createNodePipeline(options: HostPipelineOptions = {}): Promise<FacePipeline> {
  return createHostPipeline(modelsDir, { runtime: runtimeFromEnvironment(), ...options });
}
