// Which ffmpeg to run: the binary @ffmpeg-installer ships for this platform through the npm registry,
// else the system's on PATH. NORMFACE_FFMPEG overrides both (a packager's or a tester's choice).
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, sep } from 'node:path';
import { CaptureError } from './errors';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPackage(): string | null {
  try {
    // The package throws (a string, not an Error) when it has no binary for this platform.
    const path = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: unknown }).path;
    if (typeof path !== 'string') return null;
    // In the packaged app the binary is unpacked beside app.asar (build/electron-builder.config.cjs):
    // nothing can execute a file inside the archive.
    const unpacked = path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
    return executable(unpacked) ? unpacked : null;
  } catch {
    return null;
  }
}

function onPath(): string | null {
  const names = process.platform === 'win32' ? ['ffmpeg.exe'] : ['ffmpeg'];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of names) if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

let found: string | null | undefined;

/** The ffmpeg binary to run; throws CaptureError 'no-ffmpeg' when there is none. */
export function ffmpegBinary(): string {
  const override = process.env['NORMFACE_FFMPEG'];
  if (override) {
    if (executable(override)) return override;
    throw new CaptureError('no-ffmpeg', `NORMFACE_FFMPEG names ${override}, which is not an executable file; point it at an ffmpeg binary or unset it.`);
  }
  found ??= fromPackage() ?? onPath();
  if (found) return found;
  throw new CaptureError(
    'no-ffmpeg',
    'No ffmpeg was found: the app ships one for this platform (@ffmpeg-installer/ffmpeg) but it is missing, and there is no ffmpeg on PATH. Reinstall the app, or install ffmpeg (e.g. `apt install ffmpeg`).',
  );
}
