// A Sample: one face taken for enrollment (from the camera or a photo), with what the back end stores
// for it. The vision core's quality measures map onto the contract's 0..1 fields in core/contract/quality.ts.
import type { NewTemplate, Quality as StoredQuality } from '../../api/client';

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
