// Exit statuses and error sentences of the `normface` command. PAM and scripts read the status:
// 0 accepted / done, 1 refused (not this person, not live, not recognised), 2 could not decide.
import { ApiError } from '../../core/contract/api';
import { VisionError } from '../../core/vision/errors';
import { CaptureError } from '../services/capture/errors';
import { StoreError, type FallThroughCause } from '../services/store/index';
import { DecodeError } from '../services/vision/decode';
import { UnsafeForRootError } from './rootSafety';

export const EXIT = { ok: 0, refused: 1, error: 2 } as const;

/** A failure the person can act on; `code` is for --json. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly code = 'error',
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

/** A face login that falls through to the password (exit 2) for a cause the event log records. */
export class FallThroughError extends CliError {
  constructor(
    message: string,
    code: string,
    readonly fallThrough: FallThroughCause,
  ) {
    super(message, code);
  }
}

/** The sentence and code shown for any error; unexpected ones keep their stack for NORMFACE_DEBUG. */
export function describe(error: unknown): { code: string; message: string; expected: boolean } {
  if (error instanceof CliError) return { code: error.code, message: error.message, expected: true };
  if (error instanceof ApiError) return { code: error.code, message: error.message, expected: true };
  if (error instanceof StoreError) return { code: error.code, message: error.message, expected: true };
  if (error instanceof CaptureError) return { code: error.code, message: error.message, expected: true };
  if (error instanceof VisionError) return { code: error.code, message: error.message, expected: true };
  if (error instanceof DecodeError) return { code: error.code, message: error.message, expected: true };
  if (error instanceof UnsafeForRootError) return { code: error.code, message: error.message, expected: true };
  return { code: 'internal', message: `Something unexpected went wrong: ${error instanceof Error ? error.message : String(error)}`, expected: false };
}
