// Evidence of one kiosk visit as the renderer sends it (checkins.visit): one frame per probe, each
// with its template, plus the passive-liveness frames a visit needs. Plain JSON, as the WebSocket carries it.
import { PASSIVE_MIN_FRAMES } from '../../core/decisions/visitLiveness';

export function visitEvidence(probes: readonly Float32Array[], options: { passive?: number; frames?: number } = {}): { frames: unknown[] } {
  const count = Math.max(probes.length, options.frames ?? PASSIVE_MIN_FRAMES);
  const frames = Array.from({ length: count }, (_, i) => {
    const template = probes[i];
    return {
      at: 1000 + i * 66,
      faces: 1,
      face: {
        landmarks: Array.from({ length: 136 }, (_, k) => 200 + (k % 20)),
        yaw: 2,
        pitch: 4,
        roll: 0,
        interocular: 52,
        faceHeight: 170,
        sharpness: 140,
        brightness: 0.5,
        passive: options.passive ?? 0.95,
        ...(template ? { template: Array.from(template) } : {}),
      },
    };
  });
  return { frames };
}
