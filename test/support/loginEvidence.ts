// Evidence of one login attempt as the renderer sends it (verify), synthetic: a face that jitters
// by a fraction of a pixel as a real one does, blinks once (unless told not to), and carries the
// given templates on its last frames. Plain JSON, as the WebSocket carries it. `still` repeats one
// frame exactly (a photo injected as video); `blink: false` is a face that never does the gesture.
import { changingPicture, seenAt } from './synthetic-face';

/** The synthetic head's landmarks facing the camera (about 50 px between the eyes). */
const FACE = seenAt(0, 0, { seed: 3 });

export interface LoginEvidenceOptions {
  blink?: boolean;
  passive?: number;
  still?: boolean;
  frames?: number;
}

export function loginEvidence(templates: readonly Float32Array[], options: LoginEvidenceOptions = {}): { frames: unknown[] } {
  const count = Math.max(templates.length, options.frames ?? 20);
  let seed = 7;
  const jitter = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return options.still ? 0 : (seed / 2 ** 31 - 0.5) * 0.6;
  };
  const frames = Array.from({ length: count }, (_, i) => {
    const landmarks = FACE.map((v) => v + jitter());
    const template = templates[i - (count - templates.length)];
    // Eyes closed on two frames in the middle: open -> closed -> open within 2 s is a blink.
    const closed = options.blink !== false && (i === Math.floor(count / 2) || i === Math.floor(count / 2) + 1);
    const open = closed ? 0.05 : 0.97;
    return {
      at: 1000 + i * 100,
      faces: 1,
      face: {
        landmarks,
        yaw: 2,
        pitch: 4,
        roll: 0,
        interocular: 52,
        faceHeight: 170,
        sharpness: 140,
        brightness: 0.5,
        eyes: { left: open, right: open },
        passive: options.passive ?? 0.95,
        // A real face's picture changes beyond one homography; a still's is the same every frame.
        patch: changingPicture(landmarks, options.still ? 1 : i + 1),
        ...(template ? { template: Array.from(template) } : {}),
      },
    };
  });
  return { frames };
}
