// The face pipeline hosted in Node: for the command line, the browser host's back end, and the
// evaluators, benchmarks and tests through test/support/node-pipeline.ts. It runs on onnxruntime-node
// (native CPU kernels: about 6x faster to create the sessions and 2-4x faster per inference than WASM
// here) and falls back to onnxruntime-web's WASM backend where the native binding cannot load. Model
// files come from one folder (the app's models/); the sessions themselves are created in
// core/vision/sessions.ts, the same code as the renderer's.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FacePipeline } from '../../../core/vision/pipeline';
import type { Ort, SessionOptions } from '../../../core/vision/sessions';

/** Which onnxruntime a Node host runs: 'native' (onnxruntime-node), 'wasm' (onnxruntime-web), or native else WASM. */
export type NodeRuntime = 'auto' | 'native' | 'wasm';

export interface HostRuntime {
  ort: Ort;
  runtime: 'native' | 'wasm';
  /** Why the native runtime was not used when it was wanted. */
  fallbackReason?: string;
}

export interface HostPipelineOptions extends Omit<SessionOptions, 'backend'> {
  runtime?: NodeRuntime;
  /** Told when the native runtime was wanted and WASM is used instead (nothing is swallowed silently). */
  onFallback?: (reason: string) => void;
}

export function modelLoader(modelsDir: string): (file: string) => Promise<Uint8Array> {
  return async (file) => new Uint8Array(await readFile(join(modelsDir, file)));
}

/** NORMFACE_RUNTIME=wasm|native chooses for tests and benchmarks; the default is native, else WASM. */
export function runtimeFromEnvironment(): NodeRuntime {
  const wanted = process.env['NORMFACE_RUNTIME'];
  return wanted === 'wasm' || wanted === 'native' ? wanted : 'auto';
}

let nativeModule: Promise<Ort> | null = null;

export async function loadRuntime(wanted: NodeRuntime = 'auto'): Promise<HostRuntime> {
  if (wanted !== 'wasm') {
    try {
      // Both packages expose onnxruntime-common's API (InferenceSession, Tensor, env): one type serves.
      nativeModule ??= import('onnxruntime-node').then((m) => ((m as { default?: unknown }).default ?? m) as unknown as Ort);
      return { ort: await nativeModule, runtime: 'native' };
    } catch (error) {
      nativeModule = null;
      if (wanted === 'native') throw error;
      const fallbackReason = `the native onnxruntime could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)}), so WASM is used`;
      return { ort: (await import('onnxruntime-web')) as Ort, runtime: 'wasm', fallbackReason };
    }
  }
  return { ort: (await import('onnxruntime-web')) as Ort, runtime: 'wasm' };
}

export async function createHostPipeline(modelsDir: string, options: HostPipelineOptions = {}): Promise<FacePipeline> {
  const { runtime: wanted, onFallback, ...sessionOptions } = options;
  const { ort, runtime, fallbackReason } = await loadRuntime(wanted ?? 'auto');
  if (fallbackReason !== undefined) onFallback?.(fallbackReason);
  return FacePipeline.create(ort, modelLoader(modelsDir), { ...sessionOptions, backend: runtime === 'native' ? 'cpu' : 'wasm' });
}
