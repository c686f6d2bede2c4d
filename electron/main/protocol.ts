// app://normface/ serves the renderer, the models and ORT's WASM from disk with the same headers as
// the browser host (COOP/COEP for multi-threaded WASM, the CSP). A custom protocol rather than
// file:// so the page has a real origin and those headers.
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { resolveStatic, securityHeaders, type StaticRoots } from '../services/app/static';
import { APP_HOST, APP_SCHEME } from '../services/app/origin';

/** Must run before app 'ready'. */
export function registerScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
  ]);
}

export function createProtocolHandler(roots: StaticRoots, log: (message: string, error: unknown) => void): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = securityHeaders();
    const url = new URL(request.url);
    if (url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404, headers });
    }
    const found = resolveStatic(url.pathname, roots);
    if (!found) return new Response('Not found', { status: 404, headers });
    try {
      const body = request.method === 'HEAD' ? null : await readFile(found.file);
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': found.type } });
    } catch (e) {
      log(`normface: could not read ${found.file}`, e);
      return new Response('Could not read the file', { status: 500, headers });
    }
  };
}
