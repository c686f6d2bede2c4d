// Real Chromium (Debian's, never a downloaded one) for browser tests, with the quiet flags this
// closed network needs, optional WebGPU (SwiftShader here) and a fake camera fed from a video file.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const noChromiumReason = `Chromium is not installed at ${chromiumPath} (apt-get install -y chromium)`;

export interface ChromiumOptions {
  webgpu?: boolean;
  /** An .mjpeg or .y4m file played as the camera (looping). */
  fakeCamera?: string;
}

export interface LaunchedChromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedChromium> {
  const args = [
    '--no-sandbox',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ];
  if (options.webgpu) args.push('--enable-unsafe-webgpu', '--enable-unsafe-swiftshader');
  if (options.fakeCamera) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCamera}`);
  }
  // A plain launch gives every browser a fresh temporary profile of its own.
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  return {
    browser,
    close: () => browser.close(),
  };
}
