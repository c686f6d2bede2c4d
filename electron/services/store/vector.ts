// Templates and agents are unit Float32 vectors (NormFace: every comparison is a cosine), stored as
// little-endian Float32 bytes of a known length. Anything else is refused before it reaches the disk.
import { endianness } from 'node:os';
import { StoreError } from './errors';

export const MAX_DIM = 4096;
const NORM_TOLERANCE = 1e-3;
const littleEndian = endianness() === 'LE';

/** Throws StoreError 'invalid' unless `vector` is a finite unit Float32Array (of `dim` values when given). */
export function checkVector(vector: unknown, what: string, dim?: number): asserts vector is Float32Array {
  if (!(vector instanceof Float32Array)) {
    throw new StoreError('invalid', `${what} must be a Float32Array.`);
  }
  if (vector.length === 0 || vector.length > MAX_DIM) {
    throw new StoreError('invalid', `${what} has ${vector.length} values; expected between 1 and ${MAX_DIM}.`);
  }
  if (dim !== undefined && vector.length !== dim) {
    throw new StoreError('invalid', `${what} has ${vector.length} values but this model's templates have ${dim}.`);
  }
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i]!;
    if (!Number.isFinite(v)) throw new StoreError('invalid', `${what} contains ${v} at position ${i}; it must hold finite numbers.`);
    sum += v * v;
  }
  const norm = Math.sqrt(sum);
  if (Math.abs(norm - 1) > NORM_TOLERANCE) {
    throw new StoreError('invalid', `${what} has length ${norm.toFixed(6)}; it must be normalised to unit length first.`);
  }
}

export function vectorToBytes(vector: Float32Array): Buffer {
  const bytes = Buffer.alloc(vector.length * 4);
  if (littleEndian) {
    bytes.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  } else {
    for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  }
  return bytes;
}

/** Decodes a stored vector, checking its length against the row's `dim`; null when they disagree. */
export function bytesToVector(bytes: Buffer, dim: number): Float32Array | null {
  if (bytes.length !== dim * 4) return null;
  const vector = new Float32Array(dim);
  if (littleEndian) {
    new Uint8Array(vector.buffer).set(bytes);
  } else {
    for (let i = 0; i < dim; i++) vector[i] = bytes.readFloatLE(i * 4);
  }
  return vector;
}
