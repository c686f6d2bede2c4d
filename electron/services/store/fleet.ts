// The desk's side of a fleet, in SQLite: membership (its connection and fleet key sealed under this
// database's key), the notes the triggers of migration 0007 leave, the outbox of sealed changes ready to
// send, each person's fleet version, and rows from the fleet that failed their checks (set aside).
// The fleet's own crypto and PostgreSQL live in electron/services/fleet; this module only stores.
import type { Statement } from 'better-sqlite3';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { currentName } from './identityRows';
import { place, seal, sealText, unseal, unsealText } from './seal';
import type { JsonObject, Lockout, TemplateSource } from './types';
import { bytesToVector, vectorToBytes } from './vector';

/** One person as the fleet carries them, opened. Template ids are kept, so every desk names a template alike. */
export interface FleetPerson {
  id: string;
  name: string;
  notes: string;
  createdAt: number;
  updatedAt: number;
  templates: { id: string; modelId: string; vector: Float32Array; quality: JsonObject; source: TemplateSource; thumbnail: Uint8Array | null; createdAt: number }[];
}

/** A local event as sent to the fleet (the sealed body's contents). */
export interface FleetEventBody {
  localId: number;
  at: number;
  kind: string;
  identityId: string | null;
  name: string | null;
  score: number | null;
  decision: string | null;
  details: JsonObject | null;
}

export interface FleetMembership {
  fleetId: string;
  deskId: string;
  config: JsonObject;
  joinedAt: number;
  peopleCursor: number;
  lockoutsCursor: number;
  lastContact: number | null;
  lastError: string | null;
}

/** How the fleet turns a note into an outbox row: sealed under the fleet key, events chained. */
export interface FleetSealer {
  person(id: string, version: number, changeId: string, person: FleetPerson | null): Buffer | null;
  event(deskSeq: number, eventId: string, at: number, body: FleetEventBody, previousMac: Buffer | null): { sealed: Buffer; mac: Buffer };
  newId(): string;
}

export interface OutboxRow {
  seq: number;
  kind: 'person' | 'event' | 'lockout';
  ref: string;
  changeId: string;
  version: number | null;
  deleted: boolean;
  modelId: string | null;
  deskSeq: number | null;
  at: number;
  failures: number | null;
  lockedUntil: number | null;
  sealed: Buffer | null;
  mac: Buffer | null;
}

/** A change from the fleet, already opened and checked by the fleet (or set aside with its reason). */
export type IncomingPerson =
  | { id: string; seq: number; version: number; deleted: true }
  | { id: string; seq: number; version: number; deleted: false; person: FleetPerson }
  | { id: string; seq: number; setAside: string };

const configPlace = (deskId: string): string => `fleet_membership.config:${deskId}`;

/** Prepared once per connection: a desk joining a large fleet runs these statements tens of thousands of times. */
const statements = new WeakMap<object, Map<string, Statement<unknown[]>>>();
function sql(ctx: StoreContext, text: string): Statement<unknown[]> {
  let cache = statements.get(ctx.db);
  if (cache === undefined) statements.set(ctx.db, (cache = new Map()));
  let statement = cache.get(text);
  if (statement === undefined) cache.set(text, (statement = ctx.db.prepare(text)));
  return statement;
}

interface MembershipRow {
  fleet_id: string;
  desk_id: string;
  sealed_config: Buffer;
  joined_at: number;
  people_cursor: number;
  lockouts_cursor: number;
  chain_seq: number;
  chain_mac: Buffer | null;
  last_contact: number | null;
  last_error: string | null;
}

export function membership(ctx: StoreContext): FleetMembership | null {
  const row = ctx.db.prepare('SELECT * FROM fleet_membership WHERE id = 1').get() as MembershipRow | undefined;
  if (row === undefined) return null;
  const config = unsealText(ctx.key, configPlace(row.desk_id), row.sealed_config);
  if (config === null) throw new StoreError('corrupt', `The fleet settings in ${ctx.file} are damaged and cannot be opened; leave the fleet and join again.`);
  return {
    fleetId: row.fleet_id, deskId: row.desk_id, config: JSON.parse(config) as JsonObject, joinedAt: row.joined_at,
    peopleCursor: row.people_cursor, lockoutsCursor: row.lockouts_cursor, lastContact: row.last_contact, lastError: row.last_error,
  };
}

/** Becomes a member; every person enrolled here is noted, so the fleet receives them. */
export function joinFleet(ctx: StoreContext, input: { fleetId: string; deskId: string; config: JsonObject }): void {
  ctx.db.transaction(() => {
    if (ctx.db.prepare('SELECT 1 FROM fleet_membership').get()) throw new StoreError('invalid', 'This desk is already in a fleet; leave it first.');
    ctx.db.prepare('INSERT INTO fleet_membership (id, fleet_id, desk_id, sealed_config, joined_at) VALUES (1, ?, ?, ?, ?)')
      .run(input.fleetId, input.deskId, sealText(ctx.key, configPlace(input.deskId), JSON.stringify(input.config)), ctx.now());
    ctx.db.prepare("INSERT INTO fleet_pending (kind, ref) SELECT 'person', id FROM identities ORDER BY created_at").run();
  }).immediate();
}

/** Forgets the fleet: its settings, what was waiting to be sent, versions and set-aside rows. The people stay. */
export function leaveFleet(ctx: StoreContext): void {
  ctx.db.transaction(() => {
    for (const table of ['fleet_membership', 'fleet_pending', 'fleet_outbox', 'fleet_versions', 'fleet_set_aside', 'fleet_applying']) ctx.db.prepare(`DELETE FROM ${table}`).run();
  }).immediate();
}

export function recordContact(ctx: StoreContext, at: number | null, error: string | null): void {
  const now = ctx.db.prepare('SELECT last_contact, last_error FROM fleet_membership WHERE id = 1').get() as { last_contact: number | null; last_error: string | null } | undefined;
  // Every sync ends here: a write (and its fsync) only when the sentence changed or the time is 5 s stale.
  if (now === undefined || (now.last_error === error && (at === null || (now.last_contact !== null && at - now.last_contact < 5000)))) return;
  if (at === null) ctx.db.prepare('UPDATE fleet_membership SET last_error = ? WHERE id = 1').run(error);
  else ctx.db.prepare('UPDATE fleet_membership SET last_contact = ?, last_error = ? WHERE id = 1').run(at, error);
}

export function waiting(ctx: StoreContext): { notes: number; outbox: number; setAside: { kind: string; ref: string; reason: string; at: number }[] } {
  const notes = ctx.db.prepare('SELECT count(DISTINCT kind || ref) FROM fleet_pending').pluck().get() as number;
  const outbox = ctx.db.prepare('SELECT count(*) FROM fleet_outbox').pluck().get() as number;
  const setAside = ctx.db.prepare('SELECT kind, ref, reason, at FROM fleet_set_aside ORDER BY id DESC LIMIT 50').all() as { kind: string; ref: string; reason: string; at: number }[];
  return { notes, outbox, setAside };
}

/** One person opened with their template vectors and thumbnails; null when not enrolled here. */
export function fleetPerson(ctx: StoreContext, id: string): FleetPerson | null {
  const row = ctx.db.prepare('SELECT id, sealed_name, sealed_notes, created_at, updated_at FROM identities WHERE id = ?').get(id) as
    { id: string; sealed_name: Buffer; sealed_notes: Buffer; created_at: number; updated_at: number } | undefined;
  if (row === undefined) return null;
  const name = unsealText(ctx.key, place.identityName(id), row.sealed_name);
  const notes = unsealText(ctx.key, place.identityNotes(id), row.sealed_notes);
  if (name === null || notes === null) throw new StoreError('corrupt', `The name or notes of identity ${id} in ${ctx.file} are damaged.`);
  const rows = ctx.db.prepare('SELECT id, model_id, dim, vector, quality, source, thumbnail, created_at FROM templates WHERE identity_id = ? ORDER BY created_at, rowid').all(id) as
    { id: string; model_id: string; dim: number; vector: Buffer; quality: string; source: TemplateSource; thumbnail: Buffer | null; created_at: number }[];
  const templates = rows.map((t) => {
    const plain = unseal(ctx.key, place.templateVector(t.id), t.vector);
    const vector = plain === null ? null : bytesToVector(plain, t.dim);
    const thumbnail = t.thumbnail === null ? null : unseal(ctx.key, place.templateThumbnail(t.id), t.thumbnail);
    if (vector === null || (t.thumbnail !== null && thumbnail === null)) throw new StoreError('corrupt', `Template ${t.id} in ${ctx.file} is damaged.`);
    return { id: t.id, modelId: t.model_id, vector, quality: JSON.parse(t.quality) as JsonObject, source: t.source, thumbnail, createdAt: t.created_at };
  });
  return { id, name, notes, createdAt: row.created_at, updatedAt: row.updated_at, templates };
}

function eventBody(ctx: StoreContext, id: number): FleetEventBody | null {
  const row = ctx.db.prepare('SELECT id, at, kind, identity_id, sealed_body FROM events WHERE id = ?').get(id) as
    { id: number; at: number; kind: string; identity_id: string | null; sealed_body: Buffer } | undefined;
  if (row === undefined) return null;
  const plain = unseal(ctx.key, place.eventBody(row.id), row.sealed_body);
  if (plain === null) throw new StoreError('corrupt', `Entry ${row.id} of the event log in ${ctx.file} is damaged.`);
  const body = JSON.parse(plain.toString('utf8')) as { name: string | null; score: number | null; decision: string | null; details: JsonObject | null };
  return { localId: row.id, at: row.at, kind: row.kind, identityId: row.identity_id, ...body };
}

/**
 * Turns up to `limit` notes into outbox rows in one transaction: a person's state now (or a tombstone)
 * with the next version, an event sealed and chained with the next number of this desk's chain, a
 * lockout's state. Stored before sending, so a retry after a crash sends the very same bytes.
 */
export function prepareOutbox(ctx: StoreContext, sealer: FleetSealer, limit = 500): number {
  return ctx.db.transaction(() => {
    const m = ctx.db.prepare('SELECT desk_id, chain_seq, chain_mac FROM fleet_membership WHERE id = 1').get() as Pick<MembershipRow, 'desk_id' | 'chain_seq' | 'chain_mac'> | undefined;
    if (m === undefined) return 0;
    const notes = ctx.db.prepare('SELECT seq, kind, ref FROM fleet_pending ORDER BY seq LIMIT ?').all(limit) as { seq: number; kind: 'person' | 'event' | 'lockout'; ref: string }[];
    if (notes.length === 0) return 0;
    const insert = ctx.db.prepare(
      `INSERT INTO fleet_outbox (kind, ref, change_id, version, deleted, model_id, desk_seq, at, failures, locked_until, sealed, mac)
       VALUES (@kind, @ref, @changeId, @version, @deleted, @modelId, @deskSeq, @at, @failures, @lockedUntil, @sealed, @mac)`,
    );
    const blank = { version: null, deleted: null, modelId: null, deskSeq: null, failures: null, lockedUntil: null, sealed: null, mac: null };
    let chainSeq = m.chain_seq;
    let chainMac = m.chain_mac;
    const seen = new Set<string>();
    let made = 0;
    for (const note of notes) {
      const key = `${note.kind}:${note.ref}`;
      if (note.kind !== 'event' && seen.has(key)) continue;
      seen.add(key);
      const at = ctx.now();
      const changeId = sealer.newId();
      if (note.kind === 'person') {
        const v = ctx.db.prepare('SELECT version, deleted FROM fleet_versions WHERE identity_id = ?').get(note.ref) as { version: number; deleted: number } | undefined;
        if (v?.deleted === 1) continue;
        const person = fleetPerson(ctx, note.ref);
        const version = (v?.version ?? 0) + 1;
        ctx.db.prepare('INSERT INTO fleet_versions (identity_id, version, deleted) VALUES (?, ?, ?) ON CONFLICT (identity_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted')
          .run(note.ref, version, person === null ? 1 : 0);
        const modelId = person?.templates[0]?.modelId ?? null;
        insert.run({ ...blank, kind: 'person', ref: note.ref, changeId, version, deleted: person === null ? 1 : 0, modelId, at, sealed: sealer.person(note.ref, version, changeId, person) });
      } else if (note.kind === 'event') {
        const body = eventBody(ctx, Number(note.ref));
        if (body === null) continue;
        chainSeq += 1;
        const { sealed, mac } = sealer.event(chainSeq, changeId, body.at, body, chainMac);
        chainMac = mac;
        insert.run({ ...blank, kind: 'event', ref: note.ref, changeId, deskSeq: chainSeq, at: body.at, sealed, mac });
      } else {
        if (currentName(ctx, note.ref) === null) continue;
        const l = ctx.db.prepare('SELECT failures, locked_until FROM lockouts WHERE identity_id = ?').get(note.ref) as { failures: number; locked_until: number | null } | undefined;
        insert.run({ ...blank, kind: 'lockout', ref: note.ref, changeId, at, failures: l?.failures ?? 0, lockedUntil: l?.locked_until ?? null });
      }
      made++;
    }
    ctx.db.prepare('UPDATE fleet_membership SET chain_seq = ?, chain_mac = ? WHERE id = 1').run(chainSeq, chainMac);
    ctx.db.prepare('DELETE FROM fleet_pending WHERE seq <= ?').run(notes[notes.length - 1]!.seq);
    return made;
  }).immediate();
}

export function outbox(ctx: StoreContext, limit = 500): OutboxRow[] {
  const rows = ctx.db.prepare('SELECT * FROM fleet_outbox ORDER BY seq LIMIT ?').all(limit) as Record<string, unknown>[];
  return rows.map((r) => ({
    seq: r['seq'] as number, kind: r['kind'] as OutboxRow['kind'], ref: r['ref'] as string, changeId: r['change_id'] as string,
    version: r['version'] as number | null, deleted: r['deleted'] === 1, modelId: r['model_id'] as string | null, deskSeq: r['desk_seq'] as number | null,
    at: r['at'] as number, failures: r['failures'] as number | null, lockedUntil: r['locked_until'] as number | null,
    sealed: r['sealed'] as Buffer | null, mac: r['mac'] as Buffer | null,
  }));
}

/** PostgreSQL holds the rows up to `throughSeq`: they leave the outbox. */
export function sent(ctx: StoreContext, throughSeq: number, at: number): void {
  ctx.db.transaction(() => {
    ctx.db.prepare('DELETE FROM fleet_outbox WHERE seq <= ?').run(throughSeq);
    ctx.db.prepare('UPDATE fleet_membership SET last_contact = ?, last_error = NULL WHERE id = 1').run(at);
  }).immediate();
}

function writePerson(ctx: StoreContext, p: FleetPerson): void {
  const exists = sql(ctx, 'SELECT 1 FROM identities WHERE id = ?').get(p.id) !== undefined;
  const name = sealText(ctx.key, place.identityName(p.id), p.name);
  const notes = sealText(ctx.key, place.identityNotes(p.id), p.notes);
  if (exists) sql(ctx, 'UPDATE identities SET sealed_name = ?, sealed_notes = ?, updated_at = ? WHERE id = ?').run(name, notes, p.updatedAt, p.id);
  else sql(ctx, 'INSERT INTO identities (id, sealed_name, sealed_notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(p.id, name, notes, p.createdAt, p.updatedAt);
  const held = new Set((sql(ctx, 'SELECT id FROM templates WHERE identity_id = ?').pluck().all(p.id) as string[]));
  const wanted = new Set(p.templates.map((t) => t.id));
  for (const id of held) if (!wanted.has(id)) sql(ctx, 'DELETE FROM templates WHERE id = ?').run(id);
  const insert = sql(ctx, 'INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const t of p.templates) {
    if (held.has(t.id)) continue;
    const owner = sql(ctx, 'SELECT identity_id FROM templates WHERE id = ?').pluck().get(t.id) as string | undefined;
    if (owner !== undefined) throw new StoreError('invalid', `Template ${t.id} already belongs to another person here.`);
    insert.run(t.id, p.id, t.modelId, t.vector.length, seal(ctx.key, place.templateVector(t.id), vectorToBytes(t.vector)), JSON.stringify(t.quality), t.source,
      t.thumbnail ? seal(ctx.key, place.templateThumbnail(t.id), t.thumbnail) : null, t.createdAt);
  }
}

/**
 * Applies people from the fleet in one transaction, with the triggers quiet, and moves the cursor to
 * `cursor` in the same transaction (a crash applies the batch whole or not at all). A newer local
 * version (an edit not yet sent) is kept; a tombstone deletes the person here and is final. Rows that
 * fail are set aside with their reason. Returns the ids whose templates or names changed.
 */
export function applyPeople(ctx: StoreContext, incoming: readonly IncomingPerson[], cursor: number | null, force = false): string[] {
  return ctx.db.transaction(() => {
    sql(ctx, 'INSERT OR IGNORE INTO fleet_applying (id) VALUES (1)').run();
    const changed: string[] = [];
    const unsentEdit = sql(ctx, "SELECT 1 FROM fleet_pending WHERE kind = 'person' AND ref = ?");
    for (const item of incoming) {
      if ('setAside' in item) {
        sql(ctx, 'INSERT INTO fleet_set_aside (kind, ref, seq, reason, at) VALUES (?, ?, ?, ?, ?)').run('person', item.id, item.seq, item.setAside, ctx.now());
        continue;
      }
      const local = sql(ctx, 'SELECT version, deleted FROM fleet_versions WHERE identity_id = ?').get(item.id) as { version: number; deleted: number } | undefined;
      if (local?.deleted === 1) continue;
      if (!item.deleted && !force && local !== undefined && local.version >= item.version) continue;
      // An edit made here and not yet sent: it goes to the server, which keeps the first to arrive.
      if (!item.deleted && !force && unsentEdit.get(item.id) !== undefined) continue;
      const save = sql(ctx, 'INSERT INTO fleet_versions (identity_id, version, deleted) VALUES (?, ?, ?) ON CONFLICT (identity_id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted');
      if (item.deleted) {
        sql(ctx, 'DELETE FROM identities WHERE id = ?').run(item.id);
        // A note this desk left for the person (an edit not yet sent) would only be refused: drop it.
        sql(ctx, "DELETE FROM fleet_pending WHERE kind = 'person' AND ref = ?").run(item.id);
        save.run(item.id, item.version, 1);
      } else {
        try {
          sql(ctx, 'SAVEPOINT fleet_person').run();
          writePerson(ctx, item.person);
          sql(ctx, 'RELEASE fleet_person').run();
          save.run(item.id, item.version, 0);
        } catch (error) {
          sql(ctx, 'ROLLBACK TO fleet_person').run();
          sql(ctx, 'RELEASE fleet_person').run();
          const reason = error instanceof Error ? error.message : String(error);
          sql(ctx, 'INSERT INTO fleet_set_aside (kind, ref, seq, reason, at) VALUES (?, ?, ?, ?, ?)').run('person', item.id, item.seq, reason, ctx.now());
          continue;
        }
      }
      changed.push(item.id);
    }
    if (cursor !== null) sql(ctx, 'UPDATE fleet_membership SET people_cursor = max(people_cursor, ?) WHERE id = 1').run(cursor);
    sql(ctx, 'DELETE FROM fleet_applying').run();
    return changed;
  }).immediate();
}

/** Lockouts from the fleet, for people enrolled here, quietly; the cursor moves with them. */
export function applyLockouts(ctx: StoreContext, incoming: readonly Lockout[], cursor: number): void {
  ctx.db.transaction(() => {
    sql(ctx, 'INSERT OR IGNORE INTO fleet_applying (id) VALUES (1)').run();
    const unsent = sql(ctx, "SELECT 1 FROM fleet_pending WHERE kind = 'lockout' AND ref = ? UNION ALL SELECT 1 FROM fleet_outbox WHERE kind = 'lockout' AND ref = ?");
    for (const l of incoming) {
      // An attempt made here and not yet sent is merged by the server and comes back with the next pull.
      if (unsent.get(l.identityId, l.identityId) !== undefined) continue;
      if (l.failures === 0 && l.lockedUntil === null) sql(ctx, 'DELETE FROM lockouts WHERE identity_id = ?').run(l.identityId);
      else {
        sql(ctx, 
          `INSERT INTO lockouts (identity_id, failures, locked_until) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM identities WHERE id = ?)
           ON CONFLICT (identity_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
        ).run(l.identityId, l.failures, l.lockedUntil, l.identityId);
      }
    }
    sql(ctx, 'UPDATE fleet_membership SET lockouts_cursor = max(lockouts_cursor, ?) WHERE id = 1').run(cursor);
    sql(ctx, 'DELETE FROM fleet_applying').run();
  }).immediate();
}

/**
 * Runs `work` inside the caller's transaction with the fleet's triggers quiet: a local repair (rows set
 * aside at open) is this desk's matter, never a deletion to send to every desk.
 */
export function withFleetQuiet<T>(ctx: StoreContext, work: () => T): T {
  sql(ctx, 'INSERT OR IGNORE INTO fleet_applying (id) VALUES (1)').run();
  try {
    return work();
  } finally {
    sql(ctx, 'DELETE FROM fleet_applying').run();
  }
}
