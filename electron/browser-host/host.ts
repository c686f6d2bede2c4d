// The browser host: the same contract as Electron, over a WebSocket, for tests and for anyone
// without the Electron binary. Listens on 127.0.0.1 only; the WebSocket needs the per-launch token
// from the printed URL (and a same-origin page), so other local pages and processes cannot call it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Gate } from '../services/app/dispatch';
import { startHostService } from '../services/app/hostService';
import type { AppService } from '../services/app/service';
import { resolveStatic, securityHeaders, type StaticRoots } from '../services/app/static';
import { fileKeyring } from '../services/store/index';

export interface BrowserHostOptions {
  /** Where package.json, models/ and node_modules/ are. */
  appRoot: string;
  dataDir: string;
  /** 0: a free port. */
  port?: number;
  /** Defaults to <appRoot>/out/renderer. */
  rendererDir?: string;
  /** Defaults to <appRoot>/models/calibration.json (tests bring their own). */
  calibrationPath?: string;
  log?: (message: string, error: unknown) => void;
}

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  service: AppService;
  /** Connects a caller as a new window would (tests drive the back end with it). */
  gate: Gate;
  close(): Promise<void>;
}

/** Largest frame accepted: 50 templates as JSON numbers with 64 KiB thumbnails fit in about 5 MiB. */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Frames one connection may have waiting for answers at once: two of the largest. */
const MAX_PENDING_BYTES = 2 * MAX_FRAME_BYTES;

function frameBytes(data: Buffer | ArrayBuffer | Buffer[]): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

function tokenMatches(request: IncomingMessage, token: string): boolean {
  const given = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const { appRoot, dataDir } = options;
  const modelsDir = join(appRoot, 'models');
  const roots: StaticRoots = {
    renderer: options.rendererDir ?? join(appRoot, 'out', 'renderer'),
    models: modelsDir,
    ort: join(appRoot, 'node_modules', 'onnxruntime-web', 'dist'),
  };
  const log = options.log ?? console.error;
  const { service } = await startHostService({
    appRoot,
    dataDir,
    // The browser host has no safeStorage: the key lives in a 0600 file beside the database.
    keyring: fileKeyring(join(dataDir, 'normface.key')),
    host: 'browser',
    ...(options.calibrationPath ? { calibrationPath: options.calibrationPath } : {}),
    log,
  });
  const token = randomBytes(24).toString('base64url');

  const server = createServer((req, res) => {
    const headers = securityHeaders();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const found = resolveStatic(new URL(req.url ?? '/', 'http://127.0.0.1').pathname, roots);
    if (!found) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': found.type });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.file)
      .on('error', (e) => {
        log(`normface: could not read ${found.file}`, e);
        res.destroy(e);
      })
      .pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const origin = req.headers.origin;
    const host = req.headers.host;
    const sameOrigin = origin === undefined || origin === `http://${host}`;
    if (path !== '/api' || !tokenMatches(req, token) || !sameOrigin) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  // Each socket is one caller: its operator session, challenges and rate limits are its own and end with it.
  function serve(ws: WebSocket): void {
    const connection = service.gate.connect();
    ws.on('close', () => connection.close());
    // Bytes of frames received and not yet answered: one connection cannot pile up unbounded work.
    let pendingBytes = 0;
    ws.on('message', (data, isBinary) => {
      const size = frameBytes(data);
      let id: number | null = null;
      void (async () => {
        if (pendingBytes + size > MAX_PENDING_BYTES) {
          return { ok: false, error: { code: 'unavailable', message: 'Too many large calls are waiting on this connection; wait for their answers and try again.' } };
        }
        pendingBytes += size;
        try {
          let frame: unknown;
          try {
            frame = isBinary ? undefined : JSON.parse(data.toString());
          } catch {
            frame = undefined;
          }
          const f = frame as { id?: unknown; call?: unknown; args?: unknown } | undefined;
          id = typeof f?.id === 'number' && Number.isSafeInteger(f.id) ? f.id : null;
          return f && typeof f === 'object' && id !== null
            ? await connection.dispatch(f.call, f.args)
            : { ok: false, error: { code: 'invalid-arguments', message: 'A frame must be JSON {"id": number, "call": string, "args": object}.' } };
        } finally {
          pendingBytes -= size;
        }
      })()
        .catch((e: unknown) => {
          log('normface: a WebSocket frame failed', e);
          return { ok: false, error: { code: 'internal', message: 'The call failed inside the back end; see its log.' } };
        })
        .then((reply) => {
          // Every frame gets an answer, the failures included.
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, reply }));
        })
        .catch((e: unknown) => log('normface: a WebSocket frame could not be answered', e));
    });
    ws.on('error', (e) => log('normface: WebSocket error', e));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    service,
    gate: service.gate,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      service.close();
    },
  };
}
