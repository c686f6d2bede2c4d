// A Transport over one WebSocket to the browser host: JSON frames {id, call, args} -> {id, reply}.
// Typed arrays become JSON forms the contract accepts (Float32Array -> number[], Uint8Array -> base64).
import type { CallName, Transport } from '../../../core/contract/api';
import { bytesToBase64 } from '../../../core/vision/base64';

export function encodeArgs(args: unknown): string {
  return JSON.stringify(args, (_key, value: unknown) => {
    if (value instanceof Float32Array || value instanceof Float64Array) return Array.from(value);
    if (value instanceof Uint8Array) return bytesToBase64(value);
    return value;
  });
}

interface Pending {
  resolve: (reply: unknown) => void;
  reject: (error: Error) => void;
}

export function webSocketTransport(url: string): Transport {
  let socket: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('the connection to the browser host failed (is `npm run serve` running, and is the token in the URL current?)'));
      ws.onclose = (event) => {
        socket = null;
        failAll(`the browser host closed the connection (${event.code}${event.reason ? `: ${event.reason}` : ''})`);
      };
      ws.onmessage = (event) => {
        let frame: { id?: unknown; reply?: unknown };
        try {
          frame = JSON.parse(String(event.data)) as typeof frame;
        } catch {
          failAll('the browser host sent a frame that is not JSON');
          return;
        }
        const p = typeof frame.id === 'number' ? pending.get(frame.id) : undefined;
        if (!p) return;
        pending.delete(frame.id as number);
        p.resolve(frame.reply);
      };
    });

  return async (call: CallName, args: unknown) => {
    socket ??= connect().catch((e: unknown) => {
      socket = null;
      throw e;
    });
    const ws = await socket;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(`{"id":${id},"call":${JSON.stringify(call)},"args":${encodeArgs(args) ?? "null"}}`);
    });
  };
}
