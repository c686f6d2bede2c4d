// The history: enrolments, deletions, every verification attempt with its score and decision,
// check-ins, lockouts, backups and training. Kept when the identity it names is deleted. Each row's
// name, score, decision and details are sealed as one body bound to the row's id; the row is chained
// into the log's MAC (eventChain.ts). Time, kind and identity id stay clear for the range queries.
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { BREAK_SETTING, CHECKPOINT_SETTING, entryMac, GENESIS_POINT, macKey, nextLink, openCheckpoint, resetChain, sealCheckpoint, verifyChain, writeHead, type ChainCheck } from './eventChain';
import { currentName } from './identityRows';
import { place, seal, unseal } from './seal';
import { getSetting, setSetting } from './settings';
import { EVENT_DECISIONS, EVENT_KINDS } from './types';
import type { EventKind, EventQuery, Json, JsonObject, LogCheck, NewEvent, StoreEvent } from './types';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 10_000;
const SEEN_KINDS = new Set(['verify', 'identify', 'checkin']);

interface EventRow {
  id: number;
  at: number;
  kind: StoreEvent['kind'];
  identity_id: string | null;
  sealed_body: Buffer;
}

/** What the sealed body holds: everything about the event that names or describes the person. */
interface EventBody {
  name: string | null;
  score: number | null;
  decision: StoreEvent['decision'];
  details: JsonObject | null;
}

function toEvent(ctx: StoreContext, row: EventRow): StoreEvent {
  const plain = unseal(ctx.key, place.eventBody(row.id), row.sealed_body);
  if (plain === null) {
    throw new StoreError('corrupt', `Entry ${row.id} of the event log in ${ctx.file} is damaged and cannot be opened. Restore the database from a backup.`);
  }
  const body = JSON.parse(plain.toString('utf8')) as EventBody;
  return {
    id: row.id,
    at: row.at,
    kind: row.kind,
    identityId: row.identity_id,
    name: body.name,
    score: body.score,
    decision: body.decision,
    details: body.details,
  };
}

function checkTime(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new StoreError('invalid', `${what} must be a time in milliseconds.`);
  return Math.trunc(value);
}

/**
 * Appends one sealed, chained row; call inside the caller's write transaction (every table module's
 * events go through here, so none escapes the chain). Returns the new id.
 */
export function appendEvent(ctx: StoreContext, event: { at: number; kind: EventKind; identityId: string | null } & EventBody): number {
  const mk = macKey(ctx.key);
  const { id, previous } = nextLink(ctx.db);
  const body: EventBody = { name: event.name, score: event.score, decision: event.decision, details: event.details };
  const sealed = seal(ctx.key, place.eventBody(id), Buffer.from(JSON.stringify(body), 'utf8'));
  const mac = entryMac(mk, previous, { id, at: event.at, kind: event.kind, identity_id: event.identityId, body: sealed });
  ctx.db.prepare('INSERT INTO events (id, at, kind, identity_id, sealed_body, mac) VALUES (?, ?, ?, ?, ?, ?)')
    .run(id, event.at, event.kind, event.identityId, sealed, mac);
  writeHead(ctx.db, mk, id, mac);
  return id;
}

export function logEvent(ctx: StoreContext, event: NewEvent): StoreEvent {
  if (!EVENT_KINDS.includes(event?.kind)) throw new StoreError('invalid', `Unknown event kind ${String(event?.kind)}.`);
  const decision = event.decision ?? null;
  if (decision !== null && !EVENT_DECISIONS.includes(decision)) throw new StoreError('invalid', `Unknown decision ${String(decision)}.`);
  const score = event.score ?? null;
  if (score !== null && (typeof score !== 'number' || !Number.isFinite(score))) throw new StoreError('invalid', 'The score must be a finite number.');
  const identityId = event.identityId ?? null;
  if (identityId !== null && typeof identityId !== 'string') throw new StoreError('invalid', 'The identity id must be text.');
  const at = event.at === undefined ? ctx.now() : checkTime(event.at, 'The event time');
  const details = event.details ?? null;
  if (details !== null && (typeof details !== 'object' || Array.isArray(details))) throw new StoreError('invalid', 'Event details must be an object.');
  if (event.name !== undefined && event.name !== null && typeof event.name !== 'string') throw new StoreError('invalid', 'The name must be text.');
  return ctx.db.transaction(() => {
    const name = event.name ?? (identityId === null ? null : currentName(ctx, identityId));
    const id = appendEvent(ctx, { at, kind: event.kind, identityId, name, score, decision, details });
    if (identityId !== null && decision === 'accept' && SEEN_KINDS.has(event.kind)) {
      ctx.db.prepare('UPDATE identities SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?').run(at, identityId);
    }
    return toEvent(ctx, ctx.db.prepare('SELECT id, at, kind, identity_id, sealed_body FROM events WHERE id = ?').get(id) as EventRow);
  }).immediate();
}

export function listEvents(ctx: StoreContext, query: EventQuery = {}): StoreEvent[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.kinds !== undefined) {
    if (!Array.isArray(query.kinds) || query.kinds.some((k) => !EVENT_KINDS.includes(k))) throw new StoreError('invalid', 'Unknown event kind in the filter.');
    if (query.kinds.length === 0) return [];
    where.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
    params.push(...query.kinds);
  }
  if (query.from !== undefined) {
    where.push('at >= ?');
    params.push(checkTime(query.from, 'The start of the range'));
  }
  if (query.to !== undefined) {
    where.push('at < ?');
    params.push(checkTime(query.to, 'The end of the range'));
  }
  if (query.identityId !== undefined) {
    if (typeof query.identityId !== 'string') throw new StoreError('invalid', 'The identity id must be text.');
    where.push('identity_id = ?');
    params.push(query.identityId);
  }
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new StoreError('invalid', `The limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  const sql = `SELECT id, at, kind, identity_id, sealed_body FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
  return (ctx.db.prepare(sql).all(...params, limit) as EventRow[]).map((row) => toEvent(ctx, row));
}

/**
 * Checks the log's chain: `incremental` (at every open) walks only the entries after the sealed
 * checkpoint of the last verified one, so opening costs the same after a year as on the first day;
 * `full` walks every entry (on demand, and in the app's background), the only check that sees an old
 * entry edited behind the checkpoint. A break is confirmed by a second check in a fresh snapshot before
 * it is stored (a setting, naming the entry), so that appending the next event, which signs the head
 * anew, cannot make it vanish from the report. A stored break is cleared only by a full check that passes.
 */
export function checkLog(ctx: StoreContext, mode: 'incremental' | 'full' = 'incremental'): LogCheck {
  const mk = macKey(ctx.key);
  const from = mode === 'full' ? GENESIS_POINT : (openCheckpoint(mk, getSetting(ctx, CHECKPOINT_SETTING)) ?? GENESIS_POINT);
  let found = verifyChain(ctx.db, mk, from);
  if (!found.intact) found = verifyChain(ctx.db, mk, from);
  return settle(ctx, mk, from, found);
}

/**
 * The full check in steps of `step` entries, each its own read snapshot, pausing between them, so the
 * app's back end answers calls meanwhile (200,000 entries take seconds). The app only appends, so an
 * entry verified in one step is unchanged in the next; a break is confirmed by one whole-log snapshot.
 */
export async function checkLogInSteps(ctx: StoreContext, pause: () => Promise<void>, step = 5000): Promise<LogCheck> {
  const mk = macKey(ctx.key);
  let point = GENESIS_POINT;
  for (;;) {
    const found = verifyChain(ctx.db, mk, point, step);
    if (found.intact && found.partial && found.verified) {
      point = found.verified;
      await pause();
      continue;
    }
    return settle(ctx, mk, GENESIS_POINT, found.intact ? found : verifyChain(ctx.db, mk, GENESIS_POINT));
  }
}

/** Stores what a check found: a break (the earliest one), or the checkpoint; clears a break after a full check that passed. */
function settle(ctx: StoreContext, mk: Buffer, from: typeof GENESIS_POINT, found: ChainCheck): LogCheck {
  const remembered = getSetting(ctx, BREAK_SETTING) as (LogCheck & { foundAt: number }) | undefined;
  if (!found.intact) {
    if (remembered === undefined || remembered.firstAltered === null || found.firstAltered!.id < remembered.firstAltered.id) {
      const { verified: _, partial: _p, ...check } = found;
      setSetting(ctx, BREAK_SETTING, { ...check, foundAt: ctx.now() } as unknown as Json);
    }
    return publicCheck(found);
  }
  storeCheckpoint(ctx, mk, found);
  if (remembered !== undefined) {
    if (from === GENESIS_POINT) {
      ctx.db.prepare('DELETE FROM settings WHERE key = ?').run(BREAK_SETTING);
      return publicCheck(found);
    }
    return { intact: false, entries: found.entries, firstAltered: remembered.firstAltered, message: remembered.message };
  }
  return publicCheck(found);
}

function publicCheck(check: ChainCheck): LogCheck {
  return { intact: check.intact, entries: check.entries, firstAltered: check.firstAltered, message: check.message };
}

/** Moves the checkpoint forward (never back: another program may have checked further meanwhile). */
function storeCheckpoint(ctx: StoreContext, mk: Buffer, check: ChainCheck): void {
  const verified = check.verified;
  if (verified === null) return;
  const current = openCheckpoint(mk, getSetting(ctx, CHECKPOINT_SETTING));
  if (current !== null && current.id >= verified.id) return;
  try {
    ctx.db.transaction(() => {
      const now = openCheckpoint(mk, getSetting(ctx, CHECKPOINT_SETTING));
      if (now === null || now.id < verified.id) setSetting(ctx, CHECKPOINT_SETTING, sealCheckpoint(mk, verified));
    }).immediate();
  } catch {
    // Only a shortcut: a read-only or busy database keeps the older checkpoint, and the next open walks further.
  }
}

/** Empties the log and starts a new chain (delete all data). */
export function clearLog(ctx: StoreContext): void {
  ctx.db.prepare('DELETE FROM events').run();
  ctx.db.prepare('DELETE FROM settings WHERE key IN (?, ?)').run(BREAK_SETTING, CHECKPOINT_SETTING);
  resetChain(ctx.db, macKey(ctx.key));
}

/** The live entries after `lastKept`: what restoring a copy whose newest entry is `lastKept` discards. */
export function entriesAfter(ctx: StoreContext, lastKept: number): { count: number; fromId: number; toId: number } | null {
  const row = ctx.db.prepare('SELECT count(*) AS count, min(id) AS fromId, max(id) AS toId FROM events WHERE id > ?').get(lastKept) as
    { count: number; fromId: number | null; toId: number | null };
  return row.count === 0 || row.fromId === null || row.toId === null ? null : { count: row.count, fromId: row.fromId, toId: row.toId };
}

/** The newest restore, for the log check: a restore rewinds the log, so "intact" alone would hide it. */
export function lastRestore(ctx: StoreContext): LogCheck['restored'] {
  const [e] = listEvents(ctx, { kinds: ['restore'], limit: 1 });
  if (e === undefined) return null;
  const d = e.details?.['discarded'];
  const discarded = d !== null && typeof d === 'object' && !Array.isArray(d) ? d : null;
  const count = typeof discarded?.['count'] === 'number' ? discarded['count'] : 0;
  const fromId = typeof discarded?.['fromId'] === 'number' ? discarded['fromId'] : null;
  const toId = typeof discarded?.['toId'] === 'number' ? discarded['toId'] : null;
  const file = typeof e.details?.['file'] === 'string' ? e.details['file'] : 'a backup';
  const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 16);
  const message = count === 0
    ? `The database was restored from ${file} on ${when} UTC (entry ${e.id}); no entry of the log was discarded.`
    : `The database was restored from ${file} on ${when} UTC (entry ${e.id}), which discarded ${count} entr${count === 1 ? 'y' : 'ies'} of the log (${fromId} to ${toId}).`;
  return { entryId: e.id, at: e.at, discarded: count, fromId, toId, message };
}

/** Entries stamped after `after` (the clock now, plus a tolerance): the clock was moved back since they were written. */
export function entriesAhead(ctx: StoreContext, after: number): { count: number; latest: number } | null {
  const row = ctx.db.prepare('SELECT count(*) AS count, max(at) AS latest FROM events WHERE at > ?').get(after) as { count: number; latest: number | null };
  return row.count === 0 || row.latest === null ? null : { count: row.count, latest: row.latest };
}
