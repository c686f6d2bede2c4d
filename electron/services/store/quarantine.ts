// A bad row never stops the app: at open every identity and template is checked as it will be loaded
// (the row opens under the key, the id is one the contract accepts, the vector has the dimension of
// its model and is a finite unit vector), and a row that fails is set aside here: moved whole into the
// quarantine table (blobs still sealed), counted, and reported by problems(). Also here: the keyed
// digest ("came from" reference) that stands for a bundle's id, and the lockouts held under it.
import { createHmac, hkdfSync } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import { idSchema, nameSchema, notesSchema, templateProblem, timeSchema } from '../../../core/contract/api';
import { printable } from '../../../core/contract/printable';
import type { StoreContext } from './context';
import { withFleetQuiet } from './fleet';
import { place, unseal, unsealText } from './seal';
import { bytesToVector, checkVector } from './vector';

/** The embedder whose templates the app compares: their dimension is the contract's, not the row's say-so. */
export interface CurrentModel {
  modelId: string;
}

/** A keyed digest of an id as a bundle carries it: looked up, never shown, and never usable as an id. */
export function originRef(key: Buffer, bundleId: string): Buffer {
  const refKey = Buffer.from(hkdfSync('sha256', key, Buffer.from('normface origin'), Buffer.from('identities.origin v1'), 32));
  return createHmac('sha256', refKey).update(bundleId, 'utf8').digest();
}

function setAside(ctx: StoreContext, kind: 'identity' | 'template', rowId: string, reason: string, row: Record<string, unknown>): void {
  const json = JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? { base64: v.toString('base64') } : v));
  ctx.db.prepare('INSERT INTO quarantine (kind, row_id, reason, row, at) VALUES (?, ?, ?, ?, ?)').run(kind, rowId, reason, json, ctx.now());
}

/** Why a template row cannot be used, or null. */
function templateRowProblem(ctx: StoreContext, row: { id: string; model_id: string; dim: number; vector: Buffer; thumbnail: Buffer | null }, current: CurrentModel | undefined): string | null {
  const plain = unseal(ctx.key, place.templateVector(row.id), row.vector);
  if (plain === null) return 'the vector does not open under this key';
  const vector = bytesToVector(plain, row.dim);
  if (vector === null) return `the vector's length disagrees with its dimension ${row.dim}`;
  if (current !== undefined && row.model_id === current.modelId) {
    const problem = templateProblem(vector);
    if (problem) return problem;
  } else {
    try {
      checkVector(vector, 'the vector');
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (row.thumbnail !== null && unseal(ctx.key, place.templateThumbnail(row.id), row.thumbnail) === null) return 'the thumbnail does not open under this key';
  return null;
}

/**
 * Moves every row that would not load into quarantine; returns how many went. The check only reads;
 * the moving (rare) is one transaction, so a healthy open takes no write lock.
 */
export function quarantineBadRows(ctx: StoreContext, current: CurrentModel | undefined): number {
  const badPeople = new Map<string, string>();
  const people = ctx.db.prepare('SELECT id, sealed_name, sealed_notes FROM identities').iterate() as IterableIterator<{ id: string; sealed_name: Buffer; sealed_notes: Buffer }>;
  for (const person of people) {
    const opens = unseal(ctx.key, place.identityName(person.id), person.sealed_name) !== null && unseal(ctx.key, place.identityNotes(person.id), person.sealed_notes) !== null;
    const reason = !idSchema.safeParse(person.id).success ? 'the id is not one this app makes' : !opens ? 'the name or notes do not open under this key' : null;
    if (reason !== null) badPeople.set(person.id, reason);
  }
  const badTemplates = new Map<string, string>();
  const templates = ctx.db.prepare('SELECT id, identity_id, model_id, dim, vector, thumbnail FROM templates').iterate() as IterableIterator<{ id: string; identity_id: string; model_id: string; dim: number; vector: Buffer; thumbnail: Buffer | null }>;
  for (const row of templates) {
    if (badPeople.has(row.identity_id)) continue;
    const reason = templateRowProblem(ctx, row, current);
    if (reason !== null) badTemplates.set(row.id, reason);
  }
  if (badPeople.size + badTemplates.size === 0) return 0;
  ctx.db.transaction(() => withFleetQuiet(ctx, () => {
    for (const [id, reason] of badPeople) {
      const person = ctx.db.prepare('SELECT * FROM identities WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      if (person === undefined) continue;
      const theirs = ctx.db.prepare('SELECT * FROM templates WHERE identity_id = ?').all(id) as Record<string, unknown>[];
      setAside(ctx, 'identity', id, reason, { ...person, templates: theirs });
      holdLockout(ctx, id, (person['origin'] as Buffer | null) ?? null);
      ctx.db.prepare('DELETE FROM identities WHERE id = ?').run(id);
    }
    for (const [id, reason] of badTemplates) {
      const row = ctx.db.prepare('SELECT * FROM templates WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      if (row === undefined) continue;
      setAside(ctx, 'template', id, reason, row);
      ctx.db.prepare('DELETE FROM templates WHERE id = ?').run(id);
    }
  })).immediate();
  return badPeople.size + badTemplates.size;
}

/** What was set aside, as sentences the UI and `normface list` show ("1 template could not be used and was set aside"). */
export function quarantineProblems(ctx: StoreContext): { kind: string; message: string }[] {
  const counts = ctx.db.prepare('SELECT kind, count(*) AS n FROM quarantine GROUP BY kind').all() as { kind: 'identity' | 'template'; n: number }[];
  return counts.map(({ kind, n }) => {
    const what = kind === 'identity' ? (n === 1 ? '1 person' : `${n} people`) : n === 1 ? '1 template' : `${n} templates`;
    return {
      kind: kind === 'identity' ? 'quarantined-identities' : 'quarantined-templates',
      message: `${what} could not be used and ${n === 1 ? 'was' : 'were'} set aside (kept in the database, not loaded). Enrol ${kind === 'identity' ? 'them' : 'the person'} again, or restore a backup made before.`,
    };
  });
}

/** Keeps a lockout that still counts when its person goes (deleted or set aside), nameless, under the digests a bundle of them would be known by. */
export function holdLockout(ctx: StoreContext, identityId: string, origin: Buffer | null): void {
  const row = ctx.db.prepare('SELECT failures, locked_until FROM lockouts WHERE identity_id = ?').get(identityId) as { failures: number; locked_until: number | null } | undefined;
  if (row === undefined || (row.failures === 0 && row.locked_until === null)) return;
  const hold = ctx.db.prepare(
    `INSERT INTO held_lockouts (ref, failures, locked_until, held_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (ref) DO UPDATE SET failures = max(failures, excluded.failures), locked_until = max(coalesce(locked_until, 0), coalesce(excluded.locked_until, 0)), held_at = excluded.held_at`,
  );
  for (const ref of origin === null ? [originRef(ctx.key, identityId)] : [originRef(ctx.key, identityId), origin]) hold.run(ref, row.failures, row.locked_until, ctx.now());
}

/** Gives a newly imported person the lockout held under their "came from" reference, if any. */
export function resumeLockout(ctx: StoreContext, identityId: string, origin: Buffer): void {
  const held = ctx.db.prepare('SELECT failures, locked_until FROM held_lockouts WHERE ref = ?').get(origin) as { failures: number; locked_until: number | null } | undefined;
  if (held === undefined) return;
  ctx.db.prepare('INSERT INTO lockouts (identity_id, failures, locked_until) VALUES (?, ?, ?)').run(identityId, held.failures, held.locked_until === 0 ? null : held.locked_until);
  ctx.db.prepare('DELETE FROM held_lockouts WHERE ref = ?').run(origin);
}

/**
 * The gate for a backup about to be restored (sealed under this key): every person and template it
 * would bring back must pass the contract's schemas, as a bundle's must. Returns a sentence naming the
 * first record that fails, or null.
 */
export function firstRefusedRecord(db: Db, key: Buffer, current: CurrentModel | undefined, sealed: boolean): string | null {
  const issue = (result: { success: boolean; error?: { issues: { message: string }[] } }) => (result.success ? null : result.error!.issues[0]!.message);
  let n = 0;
  for (const row of db.prepare(`SELECT id, created_at${sealed ? ', sealed_name, sealed_notes' : ''} FROM identities ORDER BY rowid`).iterate() as IterableIterator<{ id: string; created_at: number; sealed_name?: Buffer; sealed_notes?: Buffer }>) {
    n++;
    const name = sealed ? unsealText(key, place.identityName(row.id), row.sealed_name!) ?? '' : null;
    const notes = sealed ? unsealText(key, place.identityNotes(row.id), row.sealed_notes!) ?? '' : null;
    const problem = issue(idSchema.safeParse(row.id)) ?? issue(timeSchema.safeParse(row.created_at))
      ?? (name === null ? null : issue(nameSchema.safeParse(name))) ?? (notes === null ? null : issue(notesSchema.safeParse(notes)));
    if (problem) return `person ${n}${name ? ` "${printable(name.slice(0, 60))}"` : ''} (id ${printable(row.id.slice(0, 70))}): ${problem}`;
  }
  n = 0;
  for (const row of db.prepare('SELECT id, identity_id, model_id, dim, vector, source, created_at FROM templates ORDER BY rowid').iterate() as IterableIterator<{ id: string; identity_id: string; model_id: string; dim: number; vector: Buffer; source: string; created_at: number }>) {
    n++;
    const plain = unseal(key, place.templateVector(row.id), row.vector);
    const vector = plain === null ? null : bytesToVector(plain, row.dim);
    const problem = (vector === null ? 'the vector does not open' : current !== undefined && row.model_id === current.modelId ? templateProblem(vector) : null)
      ?? issue(timeSchema.safeParse(row.created_at)) ?? (row.source === 'camera' || row.source === 'photo' ? null : 'the source is neither camera nor photo');
    if (problem) return `template ${n} (of person id ${printable(row.identity_id.slice(0, 70))}): ${problem}`;
  }
  return null;
}
