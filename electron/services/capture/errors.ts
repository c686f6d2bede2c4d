// Why frames could not be had, as a sentence a person can act on; the code lets the command line
// choose its exit status and the tests check which failure happened.
export type CaptureErrorCode = 'no-ffmpeg' | 'no-video' | 'no-camera' | 'camera-busy' | 'unreadable';

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
  ) {
    super(message);
  }
}
