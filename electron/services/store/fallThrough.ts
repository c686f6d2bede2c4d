// A face login that fell through to the password without a decision (remote, switched off, an unmapped
// user, no camera, no face, too dark) is kept in the event log beside the decided attempts: kind
// 'verify', no decision, reason 'fell-through', so it is sealed and chained like every entry and needs
// no new kind (no rebuild of the events table). `normface verify` writes it after the attempt, on a
// connection of its own that waits only a moment for another writer: a login never waits on its record.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE } from './backup';
import { checkKey, openConnection } from './connection';
import { StoreError, toStoreError } from './errors';
import { logEvent } from './events';
import { readKey, type Keyring } from './keyring';
import { LATEST_VERSION, schemaVersion } from './migrations/index';
import { FALL_THROUGH_CAUSES, type FallThrough, type JsonObject, type StoreEvent } from './types';

/** The most characters kept of each text PAM passes (a user, a host name, a tty). */
export const FALL_THROUGH_TEXT_MAX = 64;
/** How long the record waits for another writer (the app saving an enrolment) before it gives up. */
export const FALL_THROUGH_WAIT_MS = 250;
const TEXTS = ['user', 'service', 'tty', 'rhost', 'code'] as const;

/**
 * PAM_USER, PAM_RHOST and PAM_TTY are set by whoever starts the login: only printable ASCII is kept
 * (a control or escape character becomes '?'), and at most `max` characters, the cut marked.
 */
export function boundedText(value: string, max = FALL_THROUGH_TEXT_MAX): string {
  const head = value.slice(0, max + 1).replace(/[^\x20-\x7e]/g, '?');
  return head.length <= max ? head : `${head.slice(0, max - 3)}...`;
}

/** The entry's details: the cause and the bounded texts, nothing else. */
export function fallThroughDetails(entry: FallThrough): JsonObject {
  if (!FALL_THROUGH_CAUSES.includes(entry.cause)) throw new StoreError('invalid', `Unknown fall-through cause ${String(entry.cause)}.`);
  const details: JsonObject = { reason: 'fell-through', cause: entry.cause };
  for (const k of TEXTS) {
    const v = entry[k];
    if (typeof v === 'string' && v.trim() !== '') details[k] = boundedText(v.trim());
  }
  return details;
}

/**
 * Appends one fall-through to the log of the database in `dir`. Never creates a database (nor a key)
 * and never migrates one: an absent or older database is reported, and so is a writer that holds the
 * database longer than `busyTimeoutMs`. Throws StoreError with a sentence.
 */
export function recordFallThrough(options: { dir: string; keyring: Keyring; busyTimeoutMs?: number; now?: () => number }, entry: FallThrough): StoreEvent {
  const dir = resolve(options.dir);
  const file = join(dir, DATABASE_FILE);
  if (!existsSync(file)) throw new StoreError('not_found', `There is no database in ${dir} yet.`);
  const details = fallThroughDetails(entry);
  const identityId = entry.identityId === null ? null : boundedText(entry.identityId);
  const db = openConnection(file, { mustExist: true, busyTimeoutMs: options.busyTimeoutMs ?? FALL_THROUGH_WAIT_MS });
  try {
    const version = schemaVersion(db);
    if (version !== LATEST_VERSION) {
      throw new StoreError('newer_version', `The database in ${dir} is at version ${version}, this command writes version ${LATEST_VERSION}; open it with the app of the same version first.`);
    }
    const key = readKey(options.keyring);
    checkKey(db, key, file);
    return logEvent({ db, key, file, now: options.now ?? Date.now }, { kind: 'verify', identityId, decision: null, details });
  } catch (error) {
    throw toStoreError(error, `record the fall-through in ${file}`);
  } finally {
    db.close();
  }
}
