// Decides where window.normface comes from: the Electron preload, or a WebSocket to the browser
// host (token read from the page's URL). Runs on import, before the React app mounts.
import { createBridge, type Bridge } from '../../../core/contract/api';
import { webSocketTransport } from './websocket';

declare global {
  interface Window {
    normface?: Bridge;
  }
}

export function installBridge(): Bridge {
  if (window.normface) return window.normface;
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}/api?token=${encodeURIComponent(token)}`;
  const bridge = createBridge(webSocketTransport(url));
  // Same name and shape as the preload's, so tests and the UI use one path in both hosts.
  Object.defineProperty(window, 'normface', { value: Object.freeze(bridge), writable: false, configurable: false });
  return bridge;
}
