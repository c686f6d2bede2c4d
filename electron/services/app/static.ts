// What both hosts serve to the renderer, and with which headers: the built renderer, the model
// files and onnxruntime-web's WASM, all from the app's own origin (the app works offline), with the
// isolation headers multi-threaded WASM needs and a strict Content-Security-Policy.
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // WebAssembly compilation for onnxruntime-web, nothing else dynamic.
  "script-src 'self' 'wasm-unsafe-eval'",
  // ORT starts its workers from blob: URLs unless told otherwise.
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    // Cross-origin isolation: without these two, ORT silently runs on one thread.
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticRoots {
  /** The built renderer (out/renderer). */
  renderer: string;
  /** models/: only *.onnx and *.json are served from it, under /models/. */
  models: string;
  /** onnxruntime-web's dist folder: only its ort-wasm* files, under /ort/. */
  ort: string;
}

export interface StaticFile {
  file: string;
  type: string;
}

/** A file under `root` for a URL path, refusing anything that escapes it. */
function under(root: string, relative: string): string | null {
  const file = normalize(join(root, relative));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

/** Maps a request path to a file, or null (404). The SPA's index.html answers unknown page paths. */
export function resolveStatic(pathname: string, roots: StaticRoots): StaticFile | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  let file: string | null;
  if (path.startsWith('/models/')) {
    const name = path.slice('/models/'.length);
    file = /^[\w.-]+\.(onnx|json)$/.test(name) ? under(roots.models, name) : null;
  } else if (path.startsWith('/ort/')) {
    const name = path.slice('/ort/'.length);
    file = /^ort-wasm[\w.-]*\.(wasm|mjs)$/.test(name) ? under(roots.ort, name) : null;
  } else {
    const relative = path === '/' ? 'index.html' : path.slice(1);
    file = under(roots.renderer, relative);
    // Client-side routes (no extension) fall back to the app's page.
    if (!file && !extname(path)) file = under(roots.renderer, 'index.html');
  }
  if (!file) return null;
  return { file, type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}
