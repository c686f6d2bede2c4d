// Shared options of the commands that look through a camera or a video file, and --level.
import { Option, type Command } from 'commander';
import { securityLevels, type SecurityLevel } from '../../core/contract/api';
import type { FrameSource } from '../services/capture/frames';
import { CliError } from './errors';

export interface SourceOptions {
  camera?: string;
  video?: string;
  level?: SecurityLevel;
  timeout?: string;
}

export function addSourceOptions(command: Command, timeoutSeconds: number): Command {
  return command
    .option('--camera <device>', 'camera to use (Linux /dev/videoN, macOS index, Windows name); default: the first one')
    .option('--video <file>', 'read frames from a video file instead of a camera')
    .addOption(new Option('--level <fmr>', 'security level: false-match rate (default: the app\'s setting)').choices([...securityLevels]))
    .option('--timeout <seconds>', 'give up after this many seconds of looking', String(timeoutSeconds));
}

export function frameSource(options: SourceOptions): FrameSource {
  if (options.camera !== undefined && options.video !== undefined) throw new CliError('Give either --camera or --video, not both.', 'invalid-arguments');
  return options.video !== undefined ? { kind: 'video', file: options.video } : options.camera !== undefined ? { kind: 'camera', device: options.camera } : { kind: 'camera' };
}

export function timeoutMs(options: SourceOptions): number {
  const seconds = Number(options.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new CliError(`--timeout takes seconds from 0 to 600, not ${options.timeout}.`, 'invalid-arguments');
  return seconds * 1000;
}
