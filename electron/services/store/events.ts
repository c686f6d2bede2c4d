// The history: enrolments, deletions, every verification attempt with its score and decision,
// check-ins, lockouts, backups and training. Kept when the identity it names is deleted.
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { EVENT_DECISIONS, EVENT_KINDS } from './types';
import type { EventQuery, JsonObject, NewEvent, StoreEvent } from './types';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 10_000;
const SEEN_KINDS = new Set(['verify', 'identify', 'checkin']);

interface EventRow {
  id: number;
  at: number;
  kind: StoreEvent['kind'];
  identity_id: string | null;
  display_name: string | null;
  score: number | null;
  decision: StoreEvent['decision'];
  details: string | null;
}

function toEvent(row: EventRow): StoreEvent {
  return {
    id: row.id,
    at: row.at,
    kind: row.kind,
    identityId: row.identity_id,
    displayName: row.display_name,
    score: row.score,
    decision: row.decision,
    details: row.details === null ? null : (JSON.parse(row.details) as JsonObject),
  };
}

function checkTime(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new StoreError('invalid', `${what} must be a time in milliseconds.`);
  return Math.trunc(value);
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
  return ctx.db.transaction(() => {
    let displayName = event.displayName ?? null;
    if (identityId !== null && displayName === null) {
      displayName = (ctx.db.prepare('SELECT display_name FROM identities WHERE id = ?').pluck().get(identityId) as string | undefined) ?? null;
    }
    const id = ctx.db.prepare('INSERT INTO events (at, kind, identity_id, display_name, score, decision, details) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(at, event.kind, identityId, displayName, score, decision, details === null ? null : JSON.stringify(details)).lastInsertRowid;
    if (identityId !== null && decision === 'accept' && SEEN_KINDS.has(event.kind)) {
      ctx.db.prepare('UPDATE identities SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?').run(at, identityId);
    }
    return toEvent(ctx.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow);
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
  const sql = `SELECT * FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
  return (ctx.db.prepare(sql).all(...params, limit) as EventRow[]).map(toEvent);
}
