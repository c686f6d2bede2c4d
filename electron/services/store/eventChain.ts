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

/** A verified place in the chain: the entry's id and MAC, and how many entries lead up to it. */
export interface ChainPoint {
  id: number;
  mac: Buffer;
  entries: number;
}

/** The start of every chain: a full check walks from here. */
export const GENESIS_POINT: ChainPoint = { id: 0, mac: GENESIS, entries: 0 };

/** Where the last verified entry is kept (MAC'd under the log key, so no one without the key can move it ahead). */
export const CHECKPOINT_SETTING = 'privacy.eventLogCheckpoint';

function checkpointMac(mk: Buffer, point: ChainPoint): Buffer {
  const h = createHmac('sha256', mk);
  field(h, Buffer.from('checkpoint', 'utf8'));
  field(h, int64(point.id));
  field(h, point.mac);
  field(h, int64(point.entries));
  return h.digest();
}

/** The checkpoint as a setting's JSON value. */
export function sealCheckpoint(mk: Buffer, point: ChainPoint): { id: number; mac: string; entries: number; seal: string } {
  return { id: point.id, mac: point.mac.toString('hex'), entries: point.entries, seal: checkpointMac(mk, point).toString('hex') };
}

/** The stored checkpoint, or null when absent or not sealed by this key (the check then starts from the first entry). */
export function openCheckpoint(mk: Buffer, value: unknown): ChainPoint | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!Number.isSafeInteger(v['id']) || !Number.isSafeInteger(v['entries']) || typeof v['mac'] !== 'string' || typeof v['seal'] !== 'string') return null;
  const point: ChainPoint = { id: v['id'] as number, mac: Buffer.from(v['mac'], 'hex'), entries: v['entries'] as number };
  if (point.id < 0 || point.mac.length !== MAC_BYTES) return null;
  return sameMac(Buffer.from(v['seal'], 'hex'), checkpointMac(mk, point)) ? point : null;
}

export type ChainCheck = LogCheck & {
  /** The last entry verified (to checkpoint), when the chain is intact. */
  verified: ChainPoint | null;
  /** The walk stopped after `limit` entries: intact so far, the head not checked yet. */
  partial?: boolean;
};

/**
 * Walks the chain from `from` (a checkpoint: only the entries after it; GENESIS_POINT: all of them),
 * then checks the head. Everything is read in ONE read transaction, so an entry another connection
 * commits meanwhile is either wholly in the snapshot (rows and head) or wholly out of it. A
 * checkpoint whose entry is no longer there as sealed is not trusted: the walk starts from the first
 * entry. Names the first entry that does not verify. Reads only, never refuses.
 */
export function verifyChain(db: Db, mk: Buffer, from: ChainPoint = GENESIS_POINT, limit = Infinity): ChainCheck {
  return db.transaction(() => {
    let start = from;
    if (start.id > 0) {
      const anchor = db.prepare('SELECT mac FROM events WHERE id = ?').pluck().get(start.id) as Buffer | null | undefined;
      if (anchor === undefined || anchor === null || !sameMac(anchor, start.mac)) start = GENESIS_POINT;
    }
    const head = db.prepare('SELECT last_id, last_mac, mac FROM event_log_head WHERE id = 1').get() as HeadRow | undefined;
    const count = () => db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const rows = db.prepare('SELECT id, at, kind, identity_id, sealed_body AS body, mac FROM events WHERE id > ? ORDER BY id').iterate(start.id) as IterableIterator<ChainedRow & { mac: Buffer | null }>;
    let previous: Buffer = start.mac;
    let previousId = start.id;
    let entries = start.entries;
    let bad: (ChainedRow & { mac: Buffer | null }) | null = null;
    let walked = 0;
    for (const row of rows) {
      if (sameMac(row.mac, entryMac(mk, previous, row))) {
        previous = row.mac!;
        previousId = row.id;
        entries++;
        if (++walked >= limit) {
          rows.return?.();
          return { intact: true, entries, firstAltered: null, message: null, verified: { id: previousId, mac: previous, entries }, partial: true };
        }
        continue;
      }
      bad = row;
      rows.return?.();
      break;
    }
    if (bad !== null) {
      const first = previousId + 1;
      if (bad.id > first) {
        // A gap in the ids: the row after it no longer links to what came before.
        const range = bad.id - 1 === first ? `entry ${first} was deleted` : `entries ${first} to ${bad.id - 1} were deleted`;
        return broken(count(), first, null, 'removed', `The event log was altered from entry ${first}: ${range}. Entries from there on cannot be trusted.`);
      }
      return broken(count(), bad.id, bad.at, 'changed', `The event log was altered from entry ${bad.id}${when(bad.at)}: it was changed or added outside the app. Entries from there on cannot be trusted.`);
    }
    if (head === undefined || !sameMac(head.mac, headMac(mk, head.last_id, head.last_mac)) || head.last_id < previousId) {
      return broken(count(), previousId + 1, null, 'removed', `The event log's seal record was ${head === undefined ? 'deleted' : 'altered'}, so entries after entry ${previousId} may have been removed.`);
    }
    if (head.last_id > previousId || !sameMac(head.last_mac, previous)) {
      const first = previousId + 1;
      const range = head.last_id <= first ? `entry ${first} was deleted` : `entries ${first} to ${head.last_id} were deleted`;
      return broken(count(), first, null, 'removed', `The event log was altered from entry ${first}: ${range}.`);
    }
    return { intact: true, entries, firstAltered: null, message: null, verified: { id: previousId, mac: previous, entries } };
  })();
}

function broken(entries: number, id: number, at: number | null, how: 'changed' | 'removed', message: string): ChainCheck {
  return { intact: false, entries, firstAltered: { id, at, how }, message, verified: null };
}
