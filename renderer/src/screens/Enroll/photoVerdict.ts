// The verdict each photo of a batch gets, in the words the wizard shows.
import type { PhotoVerdictCode } from '../../vision/protocol';

/** 'not read': the app, not the photo, failed (face recognition could not start); the detail says why. */
export type PhotoVerdict = 'reading' | 'face found' | 'enrolled' | 'no face' | 'several faces' | 'too small' | 'unreadable' | 'not read';

export function verdictOf(code: PhotoVerdictCode): PhotoVerdict {
  switch (code) {
    case 'no_face':
      return 'no face';
    case 'several_faces':
      return 'several faces';
    case 'face_too_small':
      return 'too small';
    // A file we cannot decode, one too large to process, or one the models could not run on.
    case 'unreadable':
    case 'invalid_image':
    case 'too_large':
    case 'model_unavailable':
      return 'unreadable';
  }
}
