// The one place model sessions are created. It picks the execution provider: onnxruntime-web's
// WebGPU provider where the platform has an adapter, WASM (multi-threaded when the page is
// cross-origin isolated, or in Node) otherwise, and reports what it got. Node hosts may pass
// onnxruntime-node instead (same API, from onnxruntime-common) with backend 'cpu': native kernels.
import type * as OrtModule from 'onnxruntime-web';
import { VisionError } from './errors';

export type Ort = typeof OrtModule;
export type Session = OrtModule.InferenceSession;
export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
/** What a pipeline runs on: WebGPU or WASM (onnxruntime-web), or onnxruntime-node's native CPU provider. */
export type Backend = 'webgpu' | 'wasm' | 'cpu';
export type ModelName = 'detector' | 'landmarks' | 'embedder' | 'liveness' | 'eyes' | 'scout';

export const MODEL_FILES: Record<ModelName, string> = {
  detector: 'fr_detect.onnx',
  landmarks: 'fr_landmark.onnx',
  embedder: 'fr_feature.onnx',
  liveness: 'fr_liveness.onnx',
  eyes: 'fr_eye.onnx',
  scout: 'blazeface_front_128.onnx',
};

export interface SessionOptions {
  backend?: BackendChoice;
  /** WASM threads; defaults to what the platform allows (up to 4). */
  threads?: number;
  /** Which models to load; the detector, landmarks and embedder are always needed. */
  models?: readonly ModelName[];
}

export interface ModelSessions {
  readonly backend: Backend;
  readonly threads: number;
  /** Why WebGPU was not used, when it was asked for or 'auto' and is missing. */
  readonly fallbackReason?: string;
  readonly sessions: Partial<Record<ModelName, Session>>;
  get(name: ModelName): Session;
  release(): Promise<void>;
}

interface PlatformGlobals {
  navigator?: { gpu?: { requestAdapter(): Promise<unknown> }; hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  process?: { versions?: { node?: string } };
}

function platform(): PlatformGlobals {
  return globalThis as unknown as PlatformGlobals;
}

async function webgpuUnavailable(ort: Ort): Promise<string | undefined> {
  const gpu = platform().navigator?.gpu;
  if (!gpu) return 'this platform exposes no WebGPU';
  if (!('webgpu' in ort.env)) return 'this build of onnxruntime-web has no WebGPU provider';
  try {
    return (await gpu.requestAdapter()) ? undefined : 'no WebGPU adapter is available';
  } catch (err) {
    return `WebGPU adapter request failed: ${String(err)}`;
  }
}

function defaultThreads(): number {
  const g = platform();
  const cores = g.navigator?.hardwareConcurrency ?? 2;
  const threadsAllowed = g.process?.versions?.node !== undefined || g.crossOriginIsolated === true;
  return threadsAllowed ? Math.max(1, Math.min(4, cores)) : 1;
}

export async function createModelSessions(
  ort: Ort,
  loadModel: (file: string) => Promise<Uint8Array>,
  options: SessionOptions = {},
): Promise<ModelSessions> {
  const wanted = options.backend ?? 'auto';
  const names = [...new Set<ModelName>(['detector', 'landmarks', 'embedder', ...(options.models ?? [])])];
  const threads = options.threads ?? defaultThreads();
  if (wanted !== 'cpu') ort.env.wasm.numThreads = threads;

  let fallbackReason: string | undefined;
  let backend: Backend = wanted === 'cpu' ? 'cpu' : 'wasm';
  if (wanted === 'auto' || wanted === 'webgpu') {
    fallbackReason = await webgpuUnavailable(ort);
    if (!fallbackReason) backend = 'webgpu';
  }

  const bytes = new Map<ModelName, Uint8Array>();
  for (const name of names) {
    try {
      bytes.set(name, await loadModel(MODEL_FILES[name]));
    } catch (err) {
      throw new VisionError('model_unavailable', `The ${name} model (${MODEL_FILES[name]}) could not be loaded: ${String(err)}. Reinstall the app or run "npm run models:install".`);
    }
  }

  const open = async (provider: Backend) => {
    const sessions: Partial<Record<ModelName, Session>> = {};
    // The native provider takes its threads per session; one inter-op thread, as WASM has.
    const native = provider === 'cpu' ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {};
    for (const name of names) {
      sessions[name] = await ort.InferenceSession.create(bytes.get(name) as Uint8Array, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // Errors only: BlazeFace's file carries unused initialisers that ORT warns about on every load.
        logSeverityLevel: 3,
        ...native,
      });
    }
    return sessions;
  };

  let sessions: Partial<Record<ModelName, Session>>;
  try {
    sessions = await open(backend);
  } catch (err) {
    if (backend !== 'webgpu') throw err;
    fallbackReason = `WebGPU session creation failed: ${String(err)}`;
    backend = 'wasm';
    sessions = await open('wasm');
  }

  return {
    backend,
    threads: backend === 'webgpu' ? 0 : threads,
    fallbackReason: wanted === 'wasm' ? undefined : fallbackReason,
    sessions,
    get(name) {
      const s = sessions[name];
      if (!s) throw new VisionError('model_unavailable', `The ${name} model was not loaded.`);
      return s;
    },
    async release() {
      await Promise.all(Object.values(sessions).map((s) => s?.release()));
    },
  };
}
