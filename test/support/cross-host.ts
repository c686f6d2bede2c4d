// The same clip through both real hosts of the login rule: Chromium's fake camera into the app's
// Log in screen (renderer camera path, browser host), and `normface verify --video` (the command
// line's own capture and pipeline) on the same data folder, with person A enrolled from five frames
// of person-a-enroll. For the cross-host test and eval:pad's --chromium sample.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Envelope } from '../../core/contract/api';
import { tempDataDir, writeCalibration } from './apiFixtures';
import { startAppHost } from './app-host';
import { buildCli, ffmpegPath, runCli } from './cli';
import { loginAtScreen, type ScreenVerdict } from './login-screen';
import { createNodePipeline } from './node-pipeline';
import { clipFrames } from '../pad/clips';
import { mediaRoot, repoRoot } from './shared';

export const PERSON = 'Person A';

export interface CommandVerdict {
  accepted: boolean;
  reason: string;
  liveness: string;
}

export interface CrossHost {
  atScreen(clip: string): Promise<ScreenVerdict>;
  atCommand(clip: string): Promise<CommandVerdict>;
  close(): Promise<void>;
}

/**
 * The clip looped to `seconds` in an AVI of the same JPEG frames at 15 fps: the fake camera loops an
 * .mjpeg by itself, the command reads a file once, and this ffmpeg would read a bare .mjpeg at 25 fps.
 */
function looped(clip: string, seconds: number): string {
  const dir = join(repoRoot, '.cache', 'pad', 'looped');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${basename(clip, '.mjpeg')}-${seconds}s.avi`);
  if (!existsSync(out)) execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-framerate', '15', '-f', 'mjpeg', '-i', clip, '-t', String(seconds), '-c', 'copy', out]);
  return out;
}

export async function startCrossHost(): Promise<CrossHost> {
  buildCli();
  const installed = join(repoRoot, 'models', 'calibration.json');
  const app = await startAppHost({ calibrationPath: existsSync(installed) ? installed : writeCalibration(tempDataDir('cross-host-cal')) });
  const call = async (name: string, args: unknown = {}) => {
    const reply = (await app.operator(name, args)) as Envelope<unknown>;
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value;
  };
  // Many refused attempts in a row must not lock A out of the next one.
  await call('settings.set', { backend: 'wasm', lockoutAttempts: 100 });
  const pipeline = await createNodePipeline({ threads: 1, models: ['detector', 'landmarks', 'embedder'] });
  const templates = [];
  try {
    for await (const { index, image } of clipFrames(join(mediaRoot, 'person-a-enroll.mjpeg'))) {
      if (index % 50 !== 10) continue;
      const { template, face } = await pipeline.enrollmentTemplate(image);
      templates.push({ vector: Array.from(template), quality: { score: 0.9, yaw: face.quality.yaw }, source: 'camera' });
    }
  } finally {
    await pipeline.release();
  }
  await call('identities.create', { name: PERSON, templates: templates.slice(0, 5) });
  return {
    atScreen: (clip) => loginAtScreen(app.url, PERSON, clip),
    async atCommand(clip) {
      const r = await runCli(['--data', app.dataDir, '--json', 'verify', PERSON, '--video', looped(clip, 40), '--timeout', '30']);
      const line = r.stdout.trim().split('\n').at(-1) ?? '';
      let v: { accepted?: boolean; reason?: string; livenessReason?: string | null };
      try {
        v = JSON.parse(line) as typeof v;
      } catch {
        throw new Error(`normface verify gave no verdict (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
      }
      return { accepted: v.accepted === true, reason: v.reason ?? 'error', liveness: v.livenessReason ?? '' };
    },
    close: () => app.close(),
  };
}
