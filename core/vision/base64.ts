// Base64 for pictures crossing JSON transports (thumbnails, the face patches of liveness evidence).
// Written here because core sees neither Node's Buffer nor the DOM's atob/btoa.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/**
 * Canonical base64: length a multiple of 4, alphabet only, '=' only as one or two final characters.
 * One pass over the text: a regular expression with a repeated group overflowed V8's stack on
 * bundles of a few megabytes, so what export wrote, import could not read.
 */
export function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const end = text.length - pad;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || LOOKUP[c] === -1) return false;
  }
  return true;
}

/** Encodes in chunks joined once: a character at a time grows a rope that a 5 MB bundle makes slow. */
export function bytesToBase64(bytes: Uint8Array): string {
  const chunks: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const stop = Math.min(bytes.length, start + CHUNK);
    const codes: number[] = [];
    for (let i = start; i < stop; i += 3) {
      const a = bytes[i] ?? 0;
      const b = i + 1 < stop ? bytes[i + 1]! : 0;
      const c = i + 2 < stop ? bytes[i + 2]! : 0;
      const n = (a << 16) | (b << 8) | c;
      codes.push(ALPHABET.charCodeAt((n >> 18) & 63), ALPHABET.charCodeAt((n >> 12) & 63));
      codes.push(i + 1 < stop ? ALPHABET.charCodeAt((n >> 6) & 63) : 61, i + 2 < stop ? ALPHABET.charCodeAt(n & 63) : 61);
    }
    chunks.push(String.fromCharCode(...codes));
  }
  return chunks.join('');
}

/** Decodes canonical base64 (check it with isBase64 first). */
export function base64ToBytes(text: string): Uint8Array {
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n =
      (Math.max(0, LOOKUP[text.charCodeAt(i)] ?? 0) << 18) |
      (Math.max(0, LOOKUP[text.charCodeAt(i + 1)] ?? 0) << 12) |
      (Math.max(0, LOOKUP[text.charCodeAt(i + 2)] ?? 0) << 6) |
      Math.max(0, LOOKUP[text.charCodeAt(i + 3)] ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
