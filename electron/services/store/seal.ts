// AES-256-GCM sealing of biometric blobs and personal text (names, notes, the event log). Each blob carries its own random 96-bit nonce, and the place
// it belongs to (table, column, row id) is bound as associated data, so a blob copied onto another row
// or into another column fails to open instead of silently impersonating someone.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + NONCE_BYTES + TAG_BYTES;

/** Where a sealed blob lives, e.g. `templates.vector:<template id>`. */
export type SealPlace = string;

/** Layout: format byte | nonce (12) | tag (16) | ciphertext. */
export function seal(key: Buffer, place: SealPlace, plain: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(place, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT), nonce, cipher.getAuthTag(), body]);
}

/** The plaintext, or null when the blob does not open under this key at this place. */
export function unseal(key: Buffer, place: SealPlace, sealed: Uint8Array): Buffer | null {
  if (sealed.length < HEADER_BYTES || sealed[0] !== FORMAT) return null;
  const blob = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 1 + NONCE_BYTES));
  decipher.setAAD(Buffer.from(place, 'utf8'));
  decipher.setAuthTag(blob.subarray(1 + NONCE_BYTES, HEADER_BYTES));
  try {
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    // GCM gives one answer for every failure (wrong key, wrong place, flipped bit): the caller names it.
    return null;
  }
}

/** Text (a name, notes) sealed at `place`. */
export function sealText(key: Buffer, where: SealPlace, text: string): Buffer {
  return seal(key, where, Buffer.from(text, 'utf8'));
}

/** The text, or null when the blob does not open here. */
export function unsealText(key: Buffer, where: SealPlace, sealed: Uint8Array): string | null {
  const plain = unseal(key, where, sealed);
  return plain === null ? null : plain.toString('utf8');
}

export const place = {
  templateVector: (templateId: string): SealPlace => `templates.vector:${templateId}`,
  identityName: (identityId: string): SealPlace => `identities.name:${identityId}`,
  operatorName: (operatorId: string): SealPlace => `operators.name:${operatorId}`,
  identityNotes: (identityId: string): SealPlace => `identities.notes:${identityId}`,
  /** An event's name, score, decision and details, as one JSON object. */
  eventBody: (eventId: number): SealPlace => `events.body:${eventId}`,
  templateThumbnail: (templateId: string): SealPlace => `templates.thumbnail:${templateId}`,
  agentVector: (runId: string, identityId: string): SealPlace => `agents.vector:${runId}:${identityId}`,
  keyCheck: 'key_check' as SealPlace,
};
