// The tamper-evident event log. Every event row carries an HMAC-SHA256 over its stored columns and the
// previous row's MAC, under a key derived from the database key (HKDF), so a row edited, inserted or
// deleted with a plain SQLite client no longer verifies. The head row (last id, last MAC, its own MAC)
// catches the deletion of the newest rows, which leaves no later row to disagree.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import type { EventKind, LogCheck } from './types';

const MAC_BYTES = 32;
const GENESIS: Buffer = Buffer.alloc(MAC_BYTES);
/** Where a break found at open is kept, so a later append (which re-signs the head) cannot hide it. */
export const BREAK_SETTING = 'privacy.eventLogBreak';

/** The stored columns of one event, as they are in the file (the body is the sealed blob). */
export interface ChainedRow {
  id: number;
  at: number;
  kind: EventKind;
  identity_id: string | null;
  body: Buffer;
}

export function macKey(key: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.from('normface events'), Buffer.from('events.mac v1'), MAC_BYTES));
}

function field(h: ReturnType<typeof createHmac>, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  h.update(length).update(bytes);
}

function int64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(value));
  return b;
}

/** Length-prefixed fields, so no two different rows hash the same bytes. */
export function entryMac(mk: Buffer, previous: Buffer, row: ChainedRow): Buffer {
  const h = createHmac('sha256', mk);
  field(h, previous);
  field(h, int64(row.id));
  field(h, int64(row.at));
  field(h, Buffer.from(row.kind, 'utf8'));
  field(h, row.identity_id === null ? Buffer.of(0) : Buffer.concat([Buffer.of(1), Buffer.from(row.identity_id, 'utf8')]));
  field(h, row.body);
  return h.digest();
}

function headMac(mk: Buffer, lastId: number, lastMac: Buffer): Buffer {
  const h = createHmac('sha256', mk);
  field(h, Buffer.from('head', 'utf8'));
  field(h, int64(lastId));
  field(h, lastMac);
  return h.digest();
}

interface HeadRow {
  last_id: number;
  last_mac: Buffer;
  mac: Buffer;
}

/** The id and link for the next event: from the head, so a gap left by deleted rows stays a gap. */
export function nextLink(db: Db): { id: number; previous: Buffer } {
  const head = db.prepare('SELECT last_id, last_mac, mac FROM event_log_head WHERE id = 1').get() as HeadRow | undefined;
  const last = db.prepare('SELECT id, mac FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; mac: Buffer } | undefined;
  // A head older than the newest row (a row appended by hand) must not make ids collide.
  const id = Math.max(head?.last_id ?? 0, last?.id ?? 0) + 1;
  return { id, previous: head?.last_mac ?? last?.mac ?? GENESIS };
}

export function writeHead(db: Db, mk: Buffer, lastId: number, lastMac: Buffer): void {
  db.prepare(
    `INSERT INTO event_log_head (id, last_id, last_mac, mac) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, last_mac = excluded.last_mac, mac = excluded.mac`,
  ).run(lastId, lastMac, headMac(mk, lastId, lastMac));
}

/** An empty log: no rows, and a head that says so. */
export function resetChain(db: Db, mk: Buffer): void {
  writeHead(db, mk, 0, GENESIS);
}

function when(at: number | null): string {
  return at === null ? '' : ` (${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC)`;
}

const sameMac = (a: Buffer | null, b: Buffer): boolean => a !== null && a.length === b.length && timingSafeEqual(a, b);

/** Walks the whole chain; names the first entry that does not verify. Reads only, never refuses. */
export function verifyChain(db: Db, mk: Buffer): LogCheck {
  const entries = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  const rows = db.prepare('SELECT id, at, kind, identity_id, sealed_body AS body, mac FROM events ORDER BY id').iterate() as IterableIterator<ChainedRow & { mac: Buffer | null }>;
  let previous: Buffer = GENESIS;
  let previousId = 0;
  for (const row of rows) {
    if (sameMac(row.mac, entryMac(mk, previous, row))) {
      previous = row.mac!;
      previousId = row.id;
      continue;
    }
    rows.return?.();
    const first = previousId + 1;
    if (row.id > first) {
      // A gap in the ids: the row after it no longer links to what came before.
      const range = row.id - 1 === first ? `entry ${first} was deleted` : `entries ${first} to ${row.id - 1} were deleted`;
      return broken(entries, first, null, 'removed', `The event log was altered from entry ${first}: ${range}. Entries from there on cannot be trusted.`);
    }
    return broken(entries, row.id, row.at, 'changed', `The event log was altered from entry ${row.id}${when(row.at)}: it was changed or added outside the app. Entries from there on cannot be trusted.`);
  }
  const head = db.prepare('SELECT last_id, last_mac, mac FROM event_log_head WHERE id = 1').get() as HeadRow | undefined;
  if (head === undefined || !sameMac(head.mac, headMac(mk, head.last_id, head.last_mac)) || head.last_id < previousId) {
    return broken(entries, previousId + 1, null, 'removed', `The event log's seal record was ${head === undefined ? 'deleted' : 'altered'}, so entries after entry ${previousId} may have been removed.`);
  }
  if (head.last_id > previousId || !sameMac(head.last_mac, previous)) {
    const first = previousId + 1;
    const range = head.last_id <= first ? `entry ${first} was deleted` : `entries ${first} to ${head.last_id} were deleted`;
    return broken(entries, first, null, 'removed', `The event log was altered from entry ${first}: ${range}.`);
  }
  return { intact: true, entries, firstAltered: null, message: null };
}

function broken(entries: number, id: number, at: number | null, how: 'changed' | 'removed', message: string): LogCheck {
  return { intact: false, entries, firstAltered: { id, at, how }, message };
}
