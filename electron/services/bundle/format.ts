// The portable bundle: chosen identities sealed with a passphrase, to move people to another data
// folder or machine (whose store seals them again under its own key). Layout, version 1:
//
//   "NFBUNDLE" (8 bytes) | format version (1 byte) | header length H (uint32 BE) | header (H bytes, JSON)
//   | ciphertext (header.payloadBytes) | AES-GCM tag (16)
//
// header: { kdf: { name: "scrypt", N, r, p, salt }, cipher: "aes-256-gcm", nonce, modelId, dim, payloadBytes }
// (salt and nonce base64). Everything before the ciphertext is the associated data, so a changed header
// (another model id, another length) fails to open like a wrong passphrase; KDF settings other than
// ours are refused before deriving, since the header is only authenticated once the key exists.
// The plaintext is JSON { identities: [{ id, name, notes, createdAt, templates: [{ modelId, dim, vector
// (base64 little-endian float32), quality, source, thumbnail (base64 JPEG or null), createdAt }] }] },
// every record of which passes core/contract/records.ts before anything is written.
// The model id and dimension stay readable so a bundle of another embedder is refused before any work.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { printable } from '../../../core/contract/printable';
import { checkImportedPeople, RecordError } from '../../../core/contract/records';
import type { JsonObject, PortableIdentity, TemplateSource } from '../store/index';

export const BUNDLE_MAGIC = Buffer.from('NFBUNDLE', 'latin1');
export const BUNDLE_VERSION = 1;
/**
 * scrypt cost: 2^17 x 8 x 128 bytes = 128 MiB of memory and about half a second per try, by design.
 * The only settings this app writes, and the only ones it derives with: the header is not
 * authenticated until the key exists, so a file must not choose what opening it costs.
 */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE = 8;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX_BYTES = BUNDLE_MAGIC.length + 1 + 4;
const MAX_HEADER_BYTES = 4096;

export type BundleErrorCode =
  | 'not-a-bundle' | 'newer-format' | 'truncated' | 'other-model' | 'wrong-passphrase' | 'weak-passphrase' | 'empty' | 'unsupported-kdf' | 'busy' | 'invalid-record';
export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(readonly code: BundleErrorCode, message: string) {
    super(message);
  }
}

interface Header {
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  nonce: string;
  modelId: string;
  dim: number;
  payloadBytes: number;
}

interface WireTemplate {
  modelId: string;
  dim: number;
  vector: string;
  quality: JsonObject;
  source: TemplateSource;
  thumbnail: string | null;
  createdAt: number;
}
interface WireIdentity {
  id: string;
  name: string;
  notes: string;
  createdAt: number;
  templates: WireTemplate[];
}

/** One derivation at a time in this process: each holds 128 MiB for half a second. */
let deriving = false;

/** The bundle key from a passphrase and salt, at the one cost this app uses; a second caller meanwhile is told "busy". */
export async function deriveBundleKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  if (deriving) throw new BundleError('busy', 'Another bundle is being sealed or opened right now; try again when it is done.');
  deriving = true;
  // Node's default maxmem (32 MiB) is below what N = 2^17, r = 8 needs (128 MiB): allow exactly that, plus slack.
  const maxmem = 128 * SCRYPT.N * SCRYPT.r * SCRYPT.p + 16 * 1024 * 1024;
  try {
    return await new Promise((resolve, reject) => {
      scrypt(passphrase.normalize('NFKC'), salt, 32, { ...SCRYPT, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
    });
  } finally {
    deriving = false;
  }
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Seals `people` (templates of `modelId` only) with `passphrase`; returns the file's bytes. */
export async function writeBundle(people: readonly PortableIdentity[], modelId: string, passphrase: string): Promise<Buffer> {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new BundleError('weak-passphrase', `Choose a passphrase of at least ${MIN_PASSPHRASE} characters: it is all that protects the faces in the file.`);
  }
  const wire: WireIdentity[] = people.map((p) => ({
    id: p.id,
    name: p.name,
    notes: p.notes,
    createdAt: p.createdAt,
    templates: p.templates.filter((t) => t.modelId === modelId).map((t) => ({
      modelId: t.modelId,
      dim: t.vector.length,
      vector: b64(new Uint8Array(t.vector.buffer, t.vector.byteOffset, t.vector.byteLength)),
      quality: t.quality,
      source: t.source,
      thumbnail: t.thumbnail ? b64(t.thumbnail) : null,
      createdAt: t.createdAt,
    })),
  })).filter((p) => p.templates.length > 0);
  if (wire.length === 0) throw new BundleError('empty', 'None of the chosen people has templates of the current face model: there is nothing to export.');
  const dim = wire[0]!.templates[0]!.dim;
  const plain = Buffer.from(JSON.stringify({ identities: wire }), 'utf8');
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const header: Header = {
    kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    modelId,
    dim,
    payloadBytes: plain.length,
  };
  return assembleBundle(header, plain, await deriveBundleKey(passphrase, salt));
}

/** The file for `header` (written as given) and the payload `plain` sealed under `key` with the header's nonce (or `nonce`, to craft test files). */
export function assembleBundle(header: object, plain: Buffer, key: Buffer, nonce = Buffer.from((header as { nonce: string }).nonce, 'base64')): Buffer {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  BUNDLE_MAGIC.copy(prefix, 0);
  prefix[BUNDLE_MAGIC.length] = BUNDLE_VERSION;
  prefix.writeUInt32BE(headerBytes.length, BUNDLE_MAGIC.length + 1);
  const aad = Buffer.concat([prefix, headerBytes]);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([aad, body, cipher.getAuthTag()]);
}

/** What can be read without the passphrase: the format and the embedder. Throws BundleError. */
export function readBundleHeader(file: Uint8Array): { header: Header; aad: Buffer; body: Buffer } {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.length < PREFIX_BYTES || !bytes.subarray(0, BUNDLE_MAGIC.length).equals(BUNDLE_MAGIC)) {
    throw new BundleError('not-a-bundle', 'This file is not a NormFace bundle; choose a file made with "Export people".');
  }
  const version = bytes[BUNDLE_MAGIC.length]!;
  if (version !== BUNDLE_VERSION) {
    throw new BundleError('newer-format', `This bundle has format ${version}; this app reads format ${BUNDLE_VERSION}. Update the app to import it.`);
  }
  const headerLength = bytes.readUInt32BE(BUNDLE_MAGIC.length + 1);
  if (headerLength > MAX_HEADER_BYTES) throw new BundleError('not-a-bundle', 'This bundle\'s header is damaged; export it again.');
  if (bytes.length < PREFIX_BYTES + headerLength) {
    throw new BundleError('truncated', 'This bundle is cut short (its header is incomplete): copy the file again from where it was exported.');
  }
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength).toString('utf8')) as Header;
  } catch {
    throw new BundleError('not-a-bundle', 'This bundle\'s header is damaged; export it again.');
  }
  const k = header?.kdf;
  const sane = typeof k === 'object' && k !== null && header.cipher === 'aes-256-gcm' && typeof header.nonce === 'string'
    && Buffer.from(header.nonce, 'base64').length === NONCE_BYTES && typeof header.modelId === 'string'
    && Number.isInteger(header.dim) && Number.isInteger(header.payloadBytes) && header.payloadBytes >= 0;
  if (!sane) throw new BundleError('not-a-bundle', 'This bundle\'s header is damaged or was not written by NormFace; export it again.');
  if (k.name !== 'scrypt' || k.N !== SCRYPT.N || k.r !== SCRYPT.r || k.p !== SCRYPT.p || typeof k.salt !== 'string' || Buffer.from(k.salt, 'base64').length !== SALT_BYTES) {
    throw new BundleError('unsupported-kdf', `This bundle asks for key-derivation settings this app never writes (it uses scrypt N=2^17, r=8, p=1 with a ${SALT_BYTES}-byte salt), so it was not made by NormFace; it was refused before any work. Nothing was imported.`);
  }
  const expected = PREFIX_BYTES + headerLength + header.payloadBytes + TAG_BYTES;
  if (bytes.length < expected) {
    throw new BundleError('truncated', `This bundle is cut short (${bytes.length} of ${expected} bytes): copy the file again from where it was exported. Nothing was imported.`);
  }
  if (bytes.length > expected) throw new BundleError('not-a-bundle', 'This bundle has extra bytes after its end; it is damaged. Export it again.');
  return { header, aad: bytes.subarray(0, PREFIX_BYTES + headerLength), body: bytes.subarray(PREFIX_BYTES + headerLength) };
}

/**
 * Opens a bundle for this app's embedder. Refuses another model's bundle and any KDF settings but
 * ours before deriving the key, a wrong passphrase or any changed byte with one sentence (GCM cannot
 * tell them apart), and a payload with any record the contract would refuse, naming the first.
 */
export async function openBundle(file: Uint8Array, passphrase: string, modelId: string): Promise<{ modelId: string; people: PortableIdentity[] }> {
  const { header } = checkedHeader(file, modelId);
  return openBundleWithKey(file, await deriveBundleKey(passphrase, Buffer.from(header.kdf.salt, 'base64')), modelId);
}

function checkedHeader(file: Uint8Array, modelId: string): ReturnType<typeof readBundleHeader> {
  const read = readBundleHeader(file);
  if (read.header.modelId !== modelId) {
    throw new BundleError('other-model', `This bundle holds faces from the model "${printable(read.header.modelId.slice(0, 100))}", and this app uses "${modelId}": their templates cannot be compared. Enrol these people again, or export from an app with the same model.`);
  }
  return read;
}

/** openBundle with the key already derived (the fuzzer derives it once for thousands of files). */
export function openBundleWithKey(file: Uint8Array, key: Buffer, modelId: string): { modelId: string; people: PortableIdentity[] } {
  const { header, aad, body } = checkedHeader(file, modelId);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'));
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new BundleError('wrong-passphrase', 'The passphrase does not open this bundle, or the file was changed since it was exported. Check the passphrase and try again; nothing was imported.');
  }
  let wire: unknown;
  try {
    wire = JSON.parse(plain.toString('utf8'));
  } catch {
    throw new BundleError('invalid-record', 'This bundle opened, but what it holds is not readable: it was not written by NormFace. Nothing was imported.');
  }
  const identities = typeof wire === 'object' && wire !== null && !Array.isArray(wire) ? (wire as Record<string, unknown>)['identities'] : undefined;
  let records;
  try {
    records = checkImportedPeople(identities, modelId);
  } catch (error) {
    if (error instanceof RecordError) throw new BundleError('invalid-record', error.message);
    throw error;
  }
  const people = records.map((r) => ({
    id: r.originId,
    name: r.name,
    notes: r.notes,
    createdAt: r.createdAt,
    templates: r.templates.map((t) => ({ ...t, quality: t.quality as JsonObject })),
  }));
  return { modelId: header.modelId, people };
}
