// Errors the vision core returns: each a sentence a person can act on, with a code the UI can branch on.

export type VisionErrorCode =
  | 'invalid_image' // not pixels we can use (zero size, wrong buffer length, 1x1)
  | 'too_large' // declared size beyond what we will decode or process
  | 'no_face'
  | 'several_faces'
  | 'face_too_small'
  | 'model_unavailable';

export class VisionError extends Error {
  override readonly name = 'VisionError';
  constructor(
    readonly code: VisionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
