// The embedder under WebGPU in real Chromium (SwiftShader here: correct, not fast) agrees with
// WASM in Node on a real face. Only agreement is asserted, never speed.
import { join } from 'node:path';
import { build } from 'esbuild';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../../core/hypersphere';
import { alignedTensor } from '../../core/vision/align';
import { embedTensor } from '../../core/vision/embed';
import type { FivePoints } from '../../core/vision/landmarks';
import { hasChromium, launchChromium, noChromiumReason, type LaunchedChromium } from '../support/chromium';
import { decodeFile } from '../support/decode';
import { createNodePipeline, modelsDir } from '../support/node-pipeline';
import { hasLfw, lfwImage, noLfwReason, repoRoot, skipReason, titled } from '../support/shared';
import { serveStatic, type StaticServer } from '../support/static-server';

interface PageResult {
  backend: string;
  threads: number;
  fallbackReason: string | null;
  points: FivePoints;
  template: number[];
  pipelineTemplate: number[];
}

const skip = skipReason(!hasLfw && noLfwReason, !hasChromium && noChromiumReason);

describe.skipIf(skip)(titled('embedder on WebGPU in Chromium', skip), () => {
  let chromium: LaunchedChromium;
  let server: StaticServer;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [join(repoRoot, 'test/e2e/pages/pipeline-page.ts')],
      bundle: true,
      format: 'esm',
      write: false,
      external: ['onnxruntime-web/webgpu'],
      logLevel: 'silent',
    });
    const html = `<!doctype html><script type="importmap">{"imports":{"onnxruntime-web/webgpu":"/ort/ort.webgpu.bundle.min.mjs"}}</script><script type="module" src="/page.js"></script>`;
    server = await serveStatic(
      { '/ort/': join(repoRoot, 'node_modules/onnxruntime-web/dist'), '/models/': modelsDir },
      { '/': html, '/page.js': bundle.outputFiles[0]!.text },
    );
    chromium = await launchChromium({ webgpu: true });
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('gives the same template as WASM (max abs difference < 1e-4) and reports the WebGPU backend', async () => {
    const img = decodeFile(lfwImage('Colin_Powell', 1));
    const page = await chromium.browser.newPage();
    await page.goto(server.url + '/');
    await page.waitForFunction(() => 'runPipeline' in globalThis);
    const gpu = (await page.evaluate(
      ([b64, w, h]) => (globalThis as unknown as { runPipeline(...a: unknown[]): Promise<unknown> }).runPipeline(b64, w, h, 'webgpu'),
      [Buffer.from(img.data).toString('base64'), img.width, img.height] as const,
    )) as PageResult;
    expect(gpu.fallbackReason).toBeNull();
    expect(gpu.backend).toBe('webgpu');

    const pipeline = await createNodePipeline({ threads: 1, runtime: 'wasm' });
    // Same aligned input as the page used, so only the execution provider differs.
    const wasm = await embedTensor(ort, pipeline.models.get('embedder'), alignedTensor(img, gpu.points));
    const wasmAnalysis = await pipeline.analyse(img);
    await pipeline.release();

    let maxDiff = 0;
    for (let i = 0; i < wasm.length; i++) maxDiff = Math.max(maxDiff, Math.abs((wasm[i] as number) - (gpu.template[i] as number)));
    console.log(`WebGPU vs WASM embedder: max abs difference ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-4);
    // The whole chain (detect, landmarks, align, embed) on WebGPU lands on the same template too.
    expect(cosine(wasmAnalysis.faces[0]!.template!, gpu.pipelineTemplate)).toBeGreaterThan(0.9999);
  }, 600_000); // software WebGPU is slow: agreement is asserted, never speed
});
