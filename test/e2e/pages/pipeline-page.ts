// Browser entry for the WebGPU agreement test: the same core pipeline, hosted in a page with
// onnxruntime-web's WebGPU build (served from the page's own origin, as the app does).
import * as ort from 'onnxruntime-web/webgpu';
import { alignedTensor } from '../../../core/vision/align';
import { embedTensor } from '../../../core/vision/embed';
import { FacePipeline } from '../../../core/vision/pipeline';
import type { BackendChoice } from '../../../core/vision/sessions';

ort.env.wasm.wasmPaths = '/ort/';

async function loadModel(file: string): Promise<Uint8Array> {
  const res = await fetch(`/models/${file}`);
  if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

interface Page {
  runPipeline(rgbaBase64: string, width: number, height: number, backend: BackendChoice): Promise<unknown>;
}

(globalThis as unknown as Page).runPipeline = async (rgbaBase64, width, height, backend) => {
  const pipeline = await FacePipeline.create(ort, loadModel, { backend });
  const img = { width, height, data: decodeBase64(rgbaBase64) };
  const analysis = await pipeline.analyse(img);
  const face = analysis.faces[0];
  if (!face) throw new Error('no face');
  // The embedder alone, on exactly the input tensor Node will also use.
  const tensor = alignedTensor(img, face.points);
  const template = await embedTensor(ort, pipeline.models.get('embedder'), tensor);
  const result = {
    backend: pipeline.backend,
    threads: pipeline.threads,
    fallbackReason: pipeline.models.fallbackReason ?? null,
    points: face.points,
    template: Array.from(template),
    pipelineTemplate: Array.from(face.template ?? []),
  };
  await pipeline.release();
  return result;
};
