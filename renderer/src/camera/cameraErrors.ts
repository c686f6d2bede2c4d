// What went wrong with the camera, as a sentence saying what to do. getUserMedia reports DOMException
// names; these are the ones browsers (and Electron) use for denied, busy and missing cameras.

export type CameraProblem = 'denied' | 'busy' | 'missing' | 'unplugged' | 'unsupported' | 'other';

export const CAMERA_TEXT: Record<CameraProblem, string> = {
  denied: 'Camera access was denied. Allow the camera for this app in the browser or system settings; the preview starts by itself once allowed.',
  busy: 'The camera is in use by another application (or the system refused it). Close that application; the preview comes back by itself.',
  missing: 'No camera was found. Plug one in; the preview starts by itself.',
  unplugged: 'The camera was disconnected. Plug it back in; the preview comes back by itself.',
  unsupported: 'This page cannot use cameras: open the app itself (or the browser host on 127.0.0.1).',
  other: 'The camera could not be started.',
};

export function cameraProblem(e: unknown): CameraProblem {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return 'busy';
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'missing';
    default:
      return 'other';
  }
}

export function cameraMessage(problem: CameraProblem, e?: unknown): string {
  if (problem !== 'other' || e === undefined) return CAMERA_TEXT[problem];
  return `${CAMERA_TEXT.other} (${e instanceof Error ? e.message : String(e)}) It is retried every few seconds.`;
}
