// Camera or video frames through ffmpeg: v4l2 on Linux, avfoundation on macOS, dshow on Windows, or
// a video file. ffmpeg decodes, drops to a fixed frame rate and scales (at most 640 wide), and writes
// raw RGBA frames to a pipe; the frame size is read from ffmpeg's own description of its output.
//
// A camera is live: the consumer always gets the newest frame and older ones are dropped, as in the
// app. A video file is read frame by frame (the pipe holds ffmpeg back), so the same file gives the
// same frames on a fast or a busy machine; its frames are timed on the clip's clock.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RgbaImage } from '../../../core/vision/image';
import { CaptureError } from './errors';
import { ffmpegBinary } from './ffmpeg';

export type FrameSource = { kind: 'camera'; device?: string } | { kind: 'video'; file: string; realtime?: boolean };

export interface CaptureOptions {
  /** Frames wider than this are scaled down (never up). Default 640. */
  maxWidth?: number;
  /** Frames per second delivered (ffmpeg drops or repeats to reach it). Default 15. */
  fps?: number;
}

export interface Frame {
  image: RgbaImage;
  /** Milliseconds since the first frame: the clip's clock for a file, the wall clock for a camera. */
  at: number;
  index: number;
}

export interface FrameStream extends AsyncIterable<Frame> {
  readonly width: number;
  readonly height: number;
  /** Stops ffmpeg; the iteration then ends. Safe to call twice. */
  close(): void;
}

/** The ffmpeg input arguments for a source on this platform; throws CaptureError before anything runs. */
export function inputArguments(source: FrameSource, platform: NodeJS.Platform = process.platform): string[] {
  if (source.kind === 'video') {
    if (!existsSync(source.file)) throw new CaptureError('no-video', `The video file ${source.file} does not exist; check the path.`);
    if (!statSync(source.file).isFile()) throw new CaptureError('no-video', `${source.file} is not a file; give the path of a video file.`);
    return [...(source.realtime ? ['-re'] : []), '-i', source.file];
  }
  if (platform === 'linux') {
    const device = source.device ?? '/dev/video0';
    if (!existsSync(device)) {
      throw new CaptureError('no-camera', `There is no camera at ${device}: plug one in, or name another with --camera /dev/videoN (ls /dev/video* lists them).`);
    }
    return ['-f', 'v4l2', '-i', device];
  }
  if (platform === 'darwin') {
    // avfoundation names devices by index; ":none" takes no audio. It insists on a frame rate the camera offers.
    return ['-f', 'avfoundation', '-framerate', '30', '-i', `${source.device ?? '0'}:none`];
  }
  if (platform === 'win32') {
    if (!source.device) {
      throw new CaptureError('no-camera', 'Name the camera with --camera "NAME"; `ffmpeg -list_devices true -f dshow -i dummy` lists the names.');
    }
    return ['-f', 'dshow', '-i', `video=${source.device}`];
  }
  throw new CaptureError('no-camera', `Camera capture is not supported on ${platform}; use --video FILE.`);
}

/** ffmpeg's last words, turned into the failure a person can act on. */
function failure(source: FrameSource, stderr: string): CaptureError {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1] ?? 'ffmpeg stopped without saying why';
  if (source.kind === 'video') return new CaptureError('unreadable', `The video ${source.file} cannot be read (${last}); check that it is a video file.`);
  const where = source.device ?? 'the default camera';
  if (/busy/i.test(stderr)) return new CaptureError('camera-busy', `The camera ${where} is in use by another application; close it and try again.`);
  if (/No such file|not found|Could not find|Input\/output error|No such device/i.test(stderr)) {
    return new CaptureError('no-camera', `The camera ${where} cannot be opened (${last}); check that it is plugged in, or name another with --camera.`);
  }
  if (/Permission denied/i.test(stderr)) return new CaptureError('no-camera', `Not allowed to open the camera ${where}; add this user to the "video" group or grant camera access.`);
  return new CaptureError('no-camera', `The camera ${where} gave no picture (${last}).`);
}

const OUTPUT_SIZE = /Output #0[\s\S]*?Video: rawvideo[^\n]*?, (\d{2,5})x(\d{2,5})/;

export async function openFrames(source: FrameSource, options: CaptureOptions = {}): Promise<FrameStream> {
  const maxWidth = options.maxWidth ?? 640;
  const fps = options.fps ?? 15;
  const input = inputArguments(source);
  const binary = ffmpegBinary();
  const args = ['-hide_banner', '-nostdin', '-nostats', ...input, '-an', '-vf', `fps=${fps},scale='min(${maxWidth}\\,iw)':-2`, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'];
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new CaptureError('no-ffmpeg', `ffmpeg (${binary}) could not be started: ${(e as Error).message}.`);
  }
  const live = source.kind === 'camera' || source.realtime === true;

  let stderr = '';
  let exited = false;
  let closed = false;
  const size = await new Promise<{ width: number; height: number }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      // Kept short: only the start (the size) and the end (why it stopped) matter.
      stderr = (stderr + d.toString()).slice(-16_384);
      const m = OUTPUT_SIZE.exec(stderr);
      if (m) {
        child.stderr.off('data', onData);
        child.stderr.on('data', (more: Buffer) => (stderr = (stderr + more.toString()).slice(-4096)));
        resolve({ width: Number(m[1]), height: Number(m[2]) });
      }
    };
    child.stderr.on('data', onData);
    child.once('error', (e) => reject(new CaptureError('no-ffmpeg', `ffmpeg (${binary}) could not be started: ${e.message}.`)));
    child.once('close', () => {
      exited = true;
      reject(failure(source, stderr));
    });
  });
  const frameBytes = size.width * size.height * 4;

  // Complete frames waiting for the consumer (a camera keeps only the newest) and the bytes of the next.
  const ready: Buffer[] = [];
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  child.stdout.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(frameBytes - partialBytes, chunk.length - offset);
      partial.push(chunk.subarray(offset, offset + take));
      partialBytes += take;
      offset += take;
      if (partialBytes === frameBytes) {
        ready.push(partial.length === 1 ? partial[0]! : Buffer.concat(partial, frameBytes));
        if (live && ready.length > 1) ready.shift();
        partial = [];
        partialBytes = 0;
      }
    }
    if (!live && ready.length >= 2) child.stdout.pause();
    notify();
  });
  child.once('close', () => {
    exited = true;
    notify();
  });

  const close = () => {
    if (closed) return;
    closed = true;
    if (!exited) child.kill('SIGKILL');
    notify();
  };

  async function* frames(): AsyncGenerator<Frame> {
    const t0 = performance.now();
    let index = 0;
    let delivered = 0;
    try {
      for (;;) {
        if (closed) return;
        const next = ready.shift();
        if (next) {
          if (!live && ready.length < 2) child.stdout.resume();
          const at = live ? performance.now() - t0 : (index * 1000) / fps;
          const image: RgbaImage = { width: size.width, height: size.height, data: new Uint8Array(next.buffer, next.byteOffset, next.byteLength) };
          yield { image, at, index };
          index++;
          delivered++;
          continue;
        }
        if (exited) {
          // A camera that stops, or a file that yields nothing, is a failure; a file that ends is not.
          if (!closed && (source.kind === 'camera' || delivered === 0)) throw failure(source, stderr);
          return;
        }
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      close();
    }
  }

  return { width: size.width, height: size.height, close, [Symbol.asyncIterator]: frames };
}
