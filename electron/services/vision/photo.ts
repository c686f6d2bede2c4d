// One enrollment photo on disk -> what identities.create stores for it: the Template, the quality
// fields of the contract and a small JPEG thumbnail. Every refusal (unreadable file, no face, several
// faces, face too small) is a DecodeError or VisionError whose message names what to change.
import jpeg from 'jpeg-js';
import type { NewTemplate } from '../../../core/contract/api';
import { storedQuality } from '../../../core/contract/quality';
import { boxMap, sampleRgba, type Box, type RgbaImage } from '../../../core/vision/image';
import type { FacePipeline } from '../../../core/vision/pipeline';
import { decodeFile } from './decode';

const THUMB = 128;

/** A square JPEG around the face (1.5x the detector box), as the renderer's worker makes them. */
export function faceThumbnail(img: RgbaImage, box: Box): Uint8Array {
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * 1.5;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const square = { x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2 };
  const crop = sampleRgba(img, boxMap(square, THUMB, THUMB), THUMB, THUMB);
  return new Uint8Array(jpeg.encode({ width: THUMB, height: THUMB, data: crop.data }, 85).data);
}

/** The NewTemplate of the one face in the photo at `path`; throws DecodeError or VisionError. */
export async function photoTemplate(pipeline: FacePipeline, path: string): Promise<NewTemplate> {
  const img = decodeFile(path);
  const { template, face } = await pipeline.enrollmentTemplate(img);
  return { vector: template, quality: storedQuality(face.quality), source: 'photo', thumbnail: faceThumbnail(img, face.detection.box) };
}

