// Crafted bundles for the import-gate tests and the fuzzer: a real bundle opened with its passphrase
// (the key derived once), its header or payload changed, and sealed again with the same key, exactly
// as someone holding the passphrase could.
import { createDecipheriv } from 'node:crypto';
import { assembleBundle, deriveBundleKey, readBundleHeader } from '../../electron/services/bundle/format';

export interface OpenedBundle {
  header: Record<string, unknown> & { nonce: string; kdf: Record<string, unknown> & { salt: string } };
  payload: { identities: Record<string, unknown>[] };
  key: Buffer;
}

/** Derives the key (once) and decrypts the payload of a bundle this app wrote. */
export async function openForCrafting(file: Buffer, passphrase: string): Promise<OpenedBundle> {
  const { header, aad, body } = readBundleHeader(file);
  const key = await deriveBundleKey(passphrase, Buffer.from(header.kdf.salt, 'base64'));
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'));
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - 16));
  const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
  return { header: JSON.parse(JSON.stringify(header)) as OpenedBundle['header'], payload: JSON.parse(plain.toString('utf8')) as OpenedBundle['payload'], key };
}

/** A deep copy, to change one field of a record without touching the original. */
export const copy = <T>(value: T): T => structuredClone(value);

/** Seals `payload` (any JSON, or raw bytes) under `header` with the key: an authentic file with whatever inside. */
export function reseal(opened: OpenedBundle, payload: unknown, header: Record<string, unknown> = opened.header): Buffer {
  const plain = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload), 'utf8');
  // A header whose nonce is not 12 bytes is still written as given; the payload is sealed with the real one.
  return assembleBundle({ ...header, payloadBytes: plain.length }, plain, opened.key, Buffer.from(opened.header.nonce, 'base64'));
}

/** Little-endian float32 values as the bundle writes a template. */
export function floatsBase64(values: ArrayLike<number>): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i]!, i * 4);
  return bytes.toString('base64');
}
