// A Sample: one face taken for enrollment (from the camera or a photo), with what the back end stores
// for it. The vision core's quality measures are mapped onto the contract's 0..1 fields here.
import type { NewTemplate, Quality as StoredQuality } from '../../api/client';
import { QUALITY_LIMITS, type Quality } from '../../../../core/vision/quality';

export interface Sample {
  key: string;
  vector: Float32Array;
  quality: StoredQuality;
  /** JPEG bytes. */
  thumbnail: Uint8Array;
  source: 'camera' | 'photo';
  /** What it shows, for people: "left", "up", or a photo's file name. */
  label: string;
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * Sharpness is a Laplacian variance with no upper bound: 5x the blur limit counts as fully sharp.
 * The overall score multiplies size, sharpness, exposure and pose factors, so one bad measure is
 * enough to rank a sample low.
 */
export function storedQuality(q: Quality, liveness?: number): StoredQuality {
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
    ...(liveness === undefined ? {} : { liveness: clamp01(liveness) }),
  };
}

export function newTemplate(s: Sample): NewTemplate {
  return { vector: s.vector, quality: s.quality, source: s.source, thumbnail: s.thumbnail };
}

let counter = 0;
export function sampleKey(): string {
  counter += 1;
  return `s${Date.now().toString(36)}${counter}`;
}

/** A data: URL for a thumbnail, whether it came as bytes or as the back end's base64. */
export function thumbnailUrl(jpeg: Uint8Array | string): string {
  if (typeof jpeg === 'string') return `data:image/jpeg;base64,${jpeg}`;
  let binary = '';
  for (let i = 0; i < jpeg.length; i++) binary += String.fromCharCode(jpeg[i] as number);
  return `data:image/jpeg;base64,${btoa(binary)}`;
}
