// The renderer's build: React + TypeScript into out/renderer, relative paths (served by the browser
// host at / and by Electron's app:// protocol), module workers for the vision pipeline.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // ORT's bundle is large by nature; the warning would only hide real regressions.
    chunkSizeWarningLimit: 2000,
  },
  // ORT's build without its .wasm bundled in: the host serves the WASM under /ort/ (wasmPaths), so
  // the renderer does not carry a second 27 MB copy.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  // ORT loads its .wasm/.mjs at run time from the host's /ort/ path; pre-bundling would break that.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
