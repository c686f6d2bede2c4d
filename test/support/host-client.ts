// A typed client over the browser host's WebSocket, as the page's own client talks to it.
import WebSocket from 'ws';
import { createClient, type Client, type Envelope } from '../../core/contract/api';

export function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export function wsClient(ws: WebSocket): Client {
  let next = 1;
  return createClient((call, args) => {
    const id = next++;
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const frame = JSON.parse(data.toString()) as { id: number; reply: Envelope<unknown> };
        if (frame.id !== id) return;
        ws.off('message', onMessage);
        resolve(frame.reply);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, call, args }, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v)));
    });
  });
}
