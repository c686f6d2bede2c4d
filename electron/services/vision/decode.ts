// Image decoding for Node hosts (the command line), tools and tests; the renderer decodes with createImageBitmap.
// Every failure is a DecodeError with a sentence a person can act on; nothing here hangs on a
// huge declared size, because the limits are checked before any pixel buffer is allocated.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MAX_PIXELS, type RgbaImage } from '../../../core/vision/image';

export type DecodeErrorCode = 'empty' | 'unsupported' | 'corrupt' | 'too_large';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Uint8Array) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;

export function decodeImage(bytes: Uint8Array, name = 'image'): RgbaImage {
  if (bytes.length === 0) throw new DecodeError('empty', `${name} is empty (0 bytes).`);
  if (isJpeg(bytes)) {
    // A JPEG ends with the EOI marker (FF D9), give or take some padding; without it the file was cut short.
    const tail = bytes.subarray(Math.max(0, bytes.length - 64));
    if (!tail.some((b, i) => b === 0xff && tail[i + 1] === 0xd9)) {
      throw new DecodeError('corrupt', `${name} is a truncated JPEG (it does not end with the end-of-image marker).`);
    }
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
      return { width: img.width, height: img.height, data: img.data };
    } catch (err) {
      const msg = String((err as Error).message ?? err);
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(msg)) throw new DecodeError('too_large', `${name} declares a size beyond ${MAX_PIXELS / 1e6} megapixels.`);
      throw new DecodeError('corrupt', `${name} is a damaged or truncated JPEG (${msg}).`);
    }
  }
  if (isPng(bytes)) {
    // The header's declared size is read before inflating, so a "huge" PNG is refused up front.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length >= 24 && view.getUint32(16) * view.getUint32(20) > MAX_PIXELS) {
      throw new DecodeError('too_large', `${name} declares ${view.getUint32(16)}x${view.getUint32(20)} pixels, beyond ${MAX_PIXELS / 1e6} megapixels.`);
    }
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } catch (err) {
      throw new DecodeError('corrupt', `${name} is a damaged PNG (${(err as Error).message}).`);
    }
  }
  throw new DecodeError('unsupported', `${name} is not a JPEG or PNG image.`);
}

export function decodeFile(path: string): RgbaImage {
  return decodeImage(readFileSync(path), basename(path));
}
