// Operator passphrases: scrypt (memory-hard: 32 MiB per try) with a random salt, compared in constant
// time. Only the hash is stored; its parameters travel with it so they can be raised later.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassphrase(passphrase: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(passphrase, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong passphrase or a hash this app did not write (never throws on either). */
export async function passphraseMatches(passphrase: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Only the parameters this app writes: a hash edited in the file cannot make a sign-in cost a gigabyte.
  if (kind !== 'scrypt' || params.N !== PARAMS.N || params.r !== PARAMS.r || params.p !== PARAMS.p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const got = await derive(passphrase, Buffer.from(salt, 'base64url'), params);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** Spends a sign-in's cost for a name that is no operator, so timing does not tell names apart. */
export async function spendPassphraseCost(passphrase: string): Promise<void> {
  await derive(passphrase, Buffer.alloc(SALT_BYTES), PARAMS);
}
