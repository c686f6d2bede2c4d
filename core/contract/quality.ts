// The contract's 0..1 quality fields of a stored template, from core/vision's measures: one mapping
// for every host that enrolls (the renderer's wizard and photo batch, the command line), so the UI
// ranks a template the same whichever way it was taken.
import { QUALITY_LIMITS, type Quality as Measured } from '../vision/quality';
import type { Quality } from './api';

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * Sharpness is a Laplacian variance with no upper bound: 5x the blur limit counts as fully sharp.
 * The overall score multiplies size, sharpness, exposure and pose factors, so one bad measure is
 * enough to rank a sample low.
 */
export function storedQuality(q: Measured): Quality {
  const sharpness = clamp01(q.sharpness / (5 * QUALITY_LIMITS.minSharpness));
  const size = clamp01(q.interocular / (2 * QUALITY_LIMITS.minInterocular));
  const exposure = clamp01(1 - Math.abs(q.brightness - 0.5) / 0.5);
  const pose = clamp01(1 - Math.max(Math.abs(q.yaw), Math.abs(q.pitch)) / 90);
  return {
    score: clamp01(Math.cbrt(sharpness * size * pose) * (0.5 + 0.5 * exposure)),
    sharpness,
    faceSize: Math.min(10_000, q.interocular),
    yaw: Math.max(-180, Math.min(180, q.yaw)),
    pitch: Math.max(-180, Math.min(180, q.pitch)),
    brightness: clamp01(q.brightness),
  };
}
