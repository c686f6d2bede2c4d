// The fleet key and what it seals. PostgreSQL only ever holds ciphertext: each blob is AES-256-GCM
// under a key derived from the fleet key, bound to its row (table, id, version, change id) so a blob
// copied onto another row does not open. Each desk's events form a MAC chain any member can verify.
// A join code carries the fleet key and the new desk's login, sealed under a passphrase with the
// bundle's scrypt (electron/services/bundle/format.ts).
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveBundleKey } from '../bundle/format';
import { sealBlob, unsealBlob } from '../store/index';

export interface FleetKeys {
  seal: Buffer;
  mac: Buffer;
}

export function fleetKeys(fleetKey: Buffer): FleetKeys {
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', fleetKey, Buffer.from('normface fleet'), Buffer.from(info), 32));
  return { seal: derive('seal v1'), mac: derive('events.mac v1') };
}

export const fleetPlace = {
  person: (id: string, version: number, changeId: string): string => `fleet.people:${id}:${version}:${changeId}`,
  event: (deskId: string, deskSeq: number, eventId: string): string => `fleet.events:${deskId}:${deskSeq}:${eventId}`,
  deskLabel: (deskId: string): string => `fleet.desks.label:${deskId}`,
  keyCheck: (fleetId: string): string => `fleet.key_check:${fleetId}`,
};

const KEY_CHECK_TEXT = Buffer.from('normface fleet key check v1');

export function sealFor(keys: FleetKeys, place: string, plain: Uint8Array): Buffer {
  return sealBlob(keys.seal, place, plain);
}

export function openFor(keys: FleetKeys, place: string, sealed: Uint8Array): Buffer | null {
  return unsealBlob(keys.seal, place, sealed);
}

export function keyCheck(keys: FleetKeys, fleetId: string): Buffer {
  return sealFor(keys, fleetPlace.keyCheck(fleetId), KEY_CHECK_TEXT);
}

export function keyFits(keys: FleetKeys, fleetId: string, check: Buffer): boolean {
  const plain = openFor(keys, fleetPlace.keyCheck(fleetId), check);
  return plain !== null && plain.equals(KEY_CHECK_TEXT);
}

function field(h: ReturnType<typeof createHmac>, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  h.update(length).update(bytes);
}

/** Length-prefixed fields: the previous link, the desk, its number in the desk's chain, the id, time and ciphertext. */
export function eventMac(keys: FleetKeys, previous: Buffer | null, e: { deskId: string; deskSeq: number; id: string; at: number; sealed: Buffer }): Buffer {
  const h = createHmac('sha256', keys.mac);
  field(h, previous ?? Buffer.alloc(32));
  field(h, Buffer.from(e.deskId));
  field(h, Buffer.from(String(e.deskSeq)));
  field(h, Buffer.from(e.id));
  field(h, Buffer.from(String(e.at)));
  field(h, e.sealed);
  return h.digest();
}

/** Checks one desk's chain from its first event: numbers without gaps, every MAC linking to the last. */
export function verifyDeskChain(keys: FleetKeys, deskId: string, events: readonly { id: string; deskSeq: number; at: number; sealed: Buffer; mac: Buffer }[]): { intact: boolean; entries: number; message: string | null } {
  let previous: Buffer | null = null;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.deskSeq !== i + 1) return { intact: false, entries: events.length, message: `Desk ${deskId}'s event ${i + 1} is missing from the fleet log.` };
    const mac = eventMac(keys, previous, { deskId, ...e });
    if (mac.length !== e.mac.length || !timingSafeEqual(mac, e.mac)) {
      return { intact: false, entries: events.length, message: `Desk ${deskId}'s event ${e.deskSeq} was changed or added outside the app.` };
    }
    previous = e.mac;
  }
  return { intact: true, entries: events.length, message: null };
}

/** What a join code carries: the fleet, the key, and the login made for the joining desk. */
export interface JoinSecret {
  fleetId: string;
  deskId: string;
  role: string;
  password: string;
  fleetKey: string;
}

const JOIN_PREFIX = 'NFJOIN1.';

/** `NFJOIN1.` + base64url(salt 16 | nonce 12 | tag 16 | ciphertext), the key scrypt(passphrase, salt). */
export async function sealJoinCode(secret: JoinSecret, passphrase: string): Promise<string> {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const key = await deriveBundleKey(passphrase, salt);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(JOIN_PREFIX));
  const body = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  return JOIN_PREFIX + Buffer.concat([salt, nonce, cipher.getAuthTag(), body]).toString('base64url');
}

export async function openJoinCode(code: string, passphrase: string): Promise<JoinSecret> {
  const text = code.trim();
  if (!text.startsWith(JOIN_PREFIX)) throw new Error('This is not a NormFace join code: copy the whole code the other desk showed, starting with NFJOIN1.');
  const raw = Buffer.from(text.slice(JOIN_PREFIX.length), 'base64url');
  if (raw.length < 45) throw new Error('This join code is cut short: copy the whole code again.');
  const key = await deriveBundleKey(passphrase, raw.subarray(0, 16));
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(16, 28));
  decipher.setAAD(Buffer.from(JOIN_PREFIX));
  decipher.setAuthTag(raw.subarray(28, 44));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(raw.subarray(44)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('The passphrase does not open this join code, or the code was changed: check both and try again.');
  }
  const secret = JSON.parse(plain) as JoinSecret;
  if (typeof secret.fleetId !== 'string' || typeof secret.fleetKey !== 'string' || typeof secret.role !== 'string') throw new Error('This join code is damaged: ask for a new one.');
  return secret;
}
