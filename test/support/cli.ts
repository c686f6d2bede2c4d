// The `normface` command for tests and the benchmark: built once into out/cli (esbuild, about a
// second), run as a child process exactly as a user or PAM runs it, plus the clips it reads.
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mediaRoot, repoRoot } from './shared';

export const cliPath = join(repoRoot, 'out', 'cli', 'normface.js');
export const ffmpegPath: string = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;

export const clip = (name: 'person-a-live' | 'person-b-live' | 'person-a-enroll') => join(mediaRoot, `${name}.mp4`);

/** Bundles electron/cli into out/cli/normface.js (the sources may be newer than any earlier build). */
export function buildCli(): void {
  execFileSync(process.execPath, [join(repoRoot, 'electron', 'build.mjs'), 'cli'], { cwd: repoRoot, stdio: 'inherit' });
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** `normface ARGS` as a child process: its exit status (null when killed or it could not start) and output. */
function execCli(args: readonly string[], env: NodeJS.ProcessEnv, extra: { timeout?: number; maxBuffer: number }): Promise<Omit<CliRun, 'status'> & { status: number | null; error: Error | null }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: repoRoot, env, ...extra }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr, error });
    });
  });
}

/** Runs `normface ARGS` with node; resolves with its exit status and output (never rejects on status). */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const { status, stdout, stderr, error } = await execCli(args, { ...process.env, ...env }, { maxBuffer: 64 * 1024 * 1024 });
  if (status === null) throw error ?? new Error('normface did not exit');
  return { status, stdout, stderr };
}

/**
 * Runs `normface ARGS` as PAM's helper does: with only PATH and `env` (the test's own shell, an ssh
 * session say, must not make every login look remote), killed after 5 minutes rather than hang (status -1).
 */
export async function runCliClean(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const { status, stdout, stderr } = await execCli(args, { PATH: '/usr/bin:/bin', ...env }, { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  return { status: status ?? -1, stdout, stderr };
}

/** `count` JPEG frames of person A's enrollment clip, spread over its first 25 s, into `dir`. */
export function enrollmentFrames(dir: string, count = 5): string {
  mkdirSync(dir, { recursive: true });
  execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-i', clip('person-a-enroll'), '-vf', 'fps=1/5', '-frames:v', String(count), '-q:v', '2', join(dir, 'a-%02d.jpg')]);
  return dir;
}

/** The simplest presentation attack: one frame of person A's live clip held still for `seconds`. */
export function stillPhotoClip(dir: string, seconds = 6): string {
  const out = join(dir, 'still-photo.mp4');
  if (existsSync(out)) return out;
  const frame = join(dir, 'still-frame.png');
  execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', '2', '-i', clip('person-a-live'), '-frames:v', '1', frame]);
  execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', frame, '-t', String(seconds), '-r', '15', '-pix_fmt', 'yuv420p', out]);
  return out;
}
