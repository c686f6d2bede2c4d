// Does a thumbnail from a file decode as the JPEG it claims to be? Its structure is read the way a
// decoder reads it, without the pixel work: start of image, segments of the lengths they state,
// quantisation and Huffman tables, one frame of plausible size and components, scans whose entropy-
// coded data hold only stuffed bytes and restart markers, and the end of image with nothing after it.
// (A full pixel decode costs about as much as the rest of a 1,000-person import; this costs ~1%.)

/** Thumbnails are 128 x 128; anything over a megapixel is not one. */
export const MAX_THUMBNAIL_PIXELS = 1_000_000;

const isFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Why `b` is not a complete JPEG image, or null when it is. */
export function jpegProblem(b: Uint8Array): string | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return 'it does not start like a JPEG';
  let i = 2;
  let frame = false;
  const tables = { quantisation: false, huffman: false };
  let scans = 0;
  for (;;) {
    if (i >= b.length || b[i] !== 0xff) return 'a segment is missing or cut short';
    while (i < b.length && b[i] === 0xff) i++;
    const marker = b[i++];
    if (marker === undefined) return 'it is cut short';
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8) || marker === 0x00) return `marker ${marker.toString(16)} is out of place`;
    if (i + 2 > b.length) return 'it is cut short';
    const length = (b[i]! << 8) | b[i + 1]!;
    const end = i + length;
    if (length < 2 || end > b.length) return 'a segment runs past the end';
    if (marker === 0xdb) tables.quantisation = true;
    if (marker === 0xc4 || marker === 0xcc) tables.huffman = true;
    if (isFrame(marker)) {
      if (frame) return 'it has two frames';
      const height = (b[i + 3]! << 8) | b[i + 4]!;
      const width = (b[i + 5]! << 8) | b[i + 6]!;
      const components = b[i + 7]!;
      if (length !== 8 + 3 * components || ![1, 3, 4].includes(components)) return 'its frame header is malformed';
      if (width === 0 || height === 0 || width * height > MAX_THUMBNAIL_PIXELS) return `it claims ${width} x ${height} pixels`;
      frame = true;
    }
    i = end;
    if (marker === 0xda) {
      if (!frame || !tables.quantisation || !tables.huffman) return 'its scan comes before the frame and tables it needs';
      scans++;
      // Entropy-coded data: an 0xFF is followed by a stuffed 0x00 or a restart marker, or starts the next segment.
      let data = 0;
      while (i < b.length) {
        if (b[i] !== 0xff) {
          i++;
          data++;
          continue;
        }
        const next = b[i + 1];
        if (next === 0x00 || (next !== undefined && next >= 0xd0 && next <= 0xd7)) {
          i += 2;
          data++;
          continue;
        }
        break;
      }
      if (data === 0) return 'a scan holds no image data';
    }
  }
  if (scans === 0) return 'it holds no image data';
  for (; i < b.length; i++) if (b[i] !== 0) return 'bytes follow its end';
  return null;
}
