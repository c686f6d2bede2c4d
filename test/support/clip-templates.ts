// Enrolment templates (with thumbnails) taken from the webcam clips in ../shared/media, as the app
// would take them from the camera: for tests that move real faces between data folders or desks.
import { join } from 'node:path';
import { storedQuality } from '../../core/contract/quality';
import type { FacePipeline } from '../../core/vision/pipeline';
import { faceThumbnail } from '../../electron/services/vision/photo';
import { clipImages } from './clips';
import { mediaRoot } from './shared';

export type Enrolment = { vector: Float32Array; quality: ReturnType<typeof storedQuality>; source: 'camera'; thumbnail: Uint8Array };

/** Templates (with thumbnails) of the frames `[from, from + count)` of a clip, every `step`th. */
export async function templatesOf(pipeline: FacePipeline, clip: string, from: number, count: number, step: number): Promise<Enrolment[]> {
  const out: Enrolment[] = [];
  const images = clipImages(join(mediaRoot, `${clip}.mjpeg`), count * step, from).filter((_, i) => i % step === 0);
  for (const img of images) {
    const { template, face } = await pipeline.enrollmentTemplate(img);
    out.push({ vector: template, quality: storedQuality(face.quality), source: 'camera', thumbnail: faceThumbnail(img, face.detection.box) });
  }
  return out;
}
