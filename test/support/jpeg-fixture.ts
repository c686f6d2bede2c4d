// A small real JPEG (a grey gradient), as a face thumbnail would be: for tests and benchmarks that
// need thumbnails that decode.
import jpeg from 'jpeg-js';

export function smallJpeg(seed = 0, size = 24): Uint8Array {
  const data = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) data.fill((i * 7 + seed * 31) % 256, i * 4, i * 4 + 3).writeUInt8(255, i * 4 + 3);
  return new Uint8Array(jpeg.encode({ width: size, height: size, data }, 80).data);
}
