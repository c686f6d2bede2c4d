// Identities and their templates. Names, notes, vectors and thumbnails are sealed on the way in and
// opened (and length-checked) on the way out; a blob that does not open is reported as damage, never
// skipped. Since names are sealed, sorting and searching by name happen on the opened list in memory.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { appendEvent } from './events';
import { damaged, toIdentity, type IdentityRow } from './identityRows';
import { holdLockout } from './quarantine';
import { place, seal, sealText, unseal } from './seal';
import type { Identity, IdentityDetail, IdentitySummaryRow, JsonObject, NewTemplate, StoredTemplate, TemplateRecord } from './types';
import { bytesToVector, checkVector, vectorToBytes } from './vector';

const MAX_NAME = 200;
const MAX_NOTES = 10_000;
const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;
const MAX_TEMPLATES_PER_CALL = 1000;

interface TemplateRow {
  id: string;
  identity_id: string;
  model_id: string;
  dim: number;
  quality: string;
  source: 'camera' | 'photo';
  has_thumbnail: number;
  created_at: number;
}

function toTemplateInfo(row: TemplateRow): TemplateRecord {
  return {
    id: row.id,
    identityId: row.identity_id,
    modelId: row.model_id,
    dim: row.dim,
    quality: JSON.parse(row.quality) as JsonObject,
    source: row.source,
    hasThumbnail: row.has_thumbnail === 1,
    createdAt: row.created_at,
  };
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw new StoreError('invalid', 'The name is empty; type the person\'s name.');
  }
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME) throw new StoreError('invalid', `The name is ${trimmed.length} characters long; keep it under ${MAX_NAME}.`);
  return trimmed;
}

function checkNotes(notes: unknown): string {
  if (notes === undefined || notes === null) return '';
  if (typeof notes !== 'string') throw new StoreError('invalid', 'Notes must be text.');
  if (notes.length > MAX_NOTES) throw new StoreError('invalid', `The notes are ${notes.length} characters long; keep them under ${MAX_NOTES}.`);
  return notes;
}

function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) throw new StoreError('invalid', `The ${what} id is missing or malformed.`);
  return id;
}

/** Validates every template before any is written, so a bad one leaves nothing half-enrolled. */
function checkTemplates(ctx: StoreContext, templates: readonly NewTemplate[]): void {
  if (!Array.isArray(templates) || templates.length === 0) {
    throw new StoreError('invalid', 'At least one template is needed to enrol a person.');
  }
  if (templates.length > MAX_TEMPLATES_PER_CALL) {
    throw new StoreError('invalid', `${templates.length} templates at once is too many; add at most ${MAX_TEMPLATES_PER_CALL} per call.`);
  }
  const dimOf = ctx.db.prepare('SELECT dim FROM templates WHERE model_id = ? LIMIT 1').pluck();
  const dims = new Map<string, number | undefined>();
  templates.forEach((t, i) => {
    const what = `Template ${i + 1}`;
    if (typeof t !== 'object' || t === null) throw new StoreError('invalid', `${what} is missing.`);
    if (typeof t.modelId !== 'string' || t.modelId.length === 0 || t.modelId.length > 200) {
      throw new StoreError('invalid', `${what} does not name the model that produced it.`);
    }
    if (!dims.has(t.modelId)) dims.set(t.modelId, dimOf.get(t.modelId) as number | undefined);
    checkVector(t.vector, what, dims.get(t.modelId));
    dims.set(t.modelId, t.vector.length);
    if (t.source !== 'camera' && t.source !== 'photo') throw new StoreError('invalid', `${what} has source ${String(t.source)}; expected camera or photo.`);
    if (typeof t.quality !== 'object' || t.quality === null || Array.isArray(t.quality)) {
      throw new StoreError('invalid', `${what} has no quality measures.`);
    }
    if (t.thumbnail !== undefined && t.thumbnail !== null) {
      if (!(t.thumbnail instanceof Uint8Array)) throw new StoreError('invalid', `${what}'s thumbnail must be image bytes.`);
      if (t.thumbnail.length > MAX_THUMBNAIL_BYTES) {
        throw new StoreError('invalid', `${what}'s thumbnail is ${t.thumbnail.length} bytes; keep it under ${MAX_THUMBNAIL_BYTES}.`);
      }
    }
  });
}

function insertTemplates(ctx: StoreContext, identityId: string, templates: readonly NewTemplate[], at: number): string[] {
  const insert = ctx.db.prepare(
    `INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return templates.map((t) => {
    const id = randomUUID();
    const thumbnail = t.thumbnail ? seal(ctx.key, place.templateThumbnail(id), t.thumbnail) : null;
    insert.run(id, identityId, t.modelId, t.vector.length, seal(ctx.key, place.templateVector(id), vectorToBytes(t.vector)),
      JSON.stringify(t.quality), t.source, thumbnail, at);
    return id;
  });
}

function requireIdentityRow(ctx: StoreContext, id: string): IdentityRow {
  const row = ctx.db.prepare('SELECT * FROM identities WHERE id = ?').get(id) as IdentityRow | undefined;
  if (row === undefined) throw new StoreError('not_found', 'That person is no longer enrolled; refresh the list.');
  return row;
}

function logEnroll(ctx: StoreContext, identityId: string, name: string, count: number, at: number, action?: string): void {
  appendEvent(ctx, {
    at, kind: 'enroll', identityId, name, score: null, decision: null,
    details: action === undefined ? { templates: count } : { templates: count, action },
  });
}

function insertIdentity(ctx: StoreContext, id: string, name: string, notes: string, createdAt: number, at: number): void {
  ctx.db.prepare('INSERT INTO identities (id, sealed_name, sealed_notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, sealText(ctx.key, place.identityName(id), name), sealText(ctx.key, place.identityNotes(id), notes), createdAt, at);
}

export function createIdentity(ctx: StoreContext, input: { name: string; notes?: string; templates: readonly NewTemplate[] }): IdentityDetail {
  const name = checkName(input?.name);
  const notes = checkNotes(input.notes);
  checkTemplates(ctx, input.templates);
  const id = randomUUID();
  const at = ctx.now();
  ctx.db.transaction(() => {
    insertIdentity(ctx, id, name, notes, at, at);
    insertTemplates(ctx, id, input.templates, at);
    logEnroll(ctx, id, name, input.templates.length, at);
  }).immediate();
  return getIdentity(ctx, id);
}

export function addTemplates(ctx: StoreContext, identityId: string, templates: readonly NewTemplate[]): TemplateRecord[] {
  checkId(identityId, 'identity');
  checkTemplates(ctx, templates);
  const at = ctx.now();
  const ids = ctx.db.transaction(() => {
    const row = requireIdentityRow(ctx, identityId);
    const ids = insertTemplates(ctx, identityId, templates, at);
    ctx.db.prepare('UPDATE identities SET updated_at = ? WHERE id = ?').run(at, identityId);
    logEnroll(ctx, identityId, toIdentity(ctx, row).name, templates.length, at);
    return ids;
  }).immediate();
  const byId = new Map(getIdentity(ctx, identityId).templates.map((t) => [t.id, t]));
  return ids.map((id) => byId.get(id)!);
}

export function removeTemplate(ctx: StoreContext, templateId: string): void {
  checkId(templateId, 'template');
  ctx.db.transaction(() => {
    const row = ctx.db.prepare('SELECT identity_id FROM templates WHERE id = ?').get(templateId) as { identity_id: string } | undefined;
    if (row === undefined) throw new StoreError('not_found', 'That template was already removed; refresh the list.');
    const left = ctx.db.prepare('SELECT count(*) FROM templates WHERE identity_id = ?').pluck().get(row.identity_id) as number;
    if (left <= 1) throw new StoreError('invalid', 'This is the person\'s only template; delete the person instead, or add another template first.');
    ctx.db.prepare('DELETE FROM templates WHERE id = ?').run(templateId);
    ctx.db.prepare('UPDATE identities SET updated_at = ? WHERE id = ?').run(ctx.now(), row.identity_id);
  }).immediate();
}

export function renameIdentity(ctx: StoreContext, id: string, newName: string): Identity {
  checkId(id, 'identity');
  const name = checkName(newName);
  const changed = ctx.db.prepare('UPDATE identities SET sealed_name = ?, updated_at = ? WHERE id = ?')
    .run(sealText(ctx.key, place.identityName(id), name), ctx.now(), id).changes;
  if (changed === 0) throw new StoreError('not_found', 'That person is no longer enrolled; refresh the list.');
  return toIdentity(ctx, requireIdentityRow(ctx, id));
}

export function updateNotes(ctx: StoreContext, id: string, notes: string): Identity {
  checkId(id, 'identity');
  const text = checkNotes(notes);
  const changed = ctx.db.prepare('UPDATE identities SET sealed_notes = ?, updated_at = ? WHERE id = ?')
    .run(sealText(ctx.key, place.identityNotes(id), text), ctx.now(), id).changes;
  if (changed === 0) throw new StoreError('not_found', 'That person is no longer enrolled; refresh the list.');
  return toIdentity(ctx, requireIdentityRow(ctx, id));
}

/** Removes the identity with its templates, thumbnails, agents and lockout (cascade), and logs it. */
export function deleteIdentity(ctx: StoreContext, id: string): void {
  checkId(id, 'identity');
  ctx.db.transaction(() => {
    const row = requireIdentityRow(ctx, id);
    const name = toIdentity(ctx, row).name;
    const templates = ctx.db.prepare('SELECT count(*) FROM templates WHERE identity_id = ?').pluck().get(id) as number;
    // The lockout outlives the person: exporting, deleting and importing them again must not clear it.
    holdLockout(ctx, id, (ctx.db.prepare('SELECT origin FROM identities WHERE id = ?').pluck().get(id) as Buffer | null) ?? null);
    ctx.db.prepare('DELETE FROM identities WHERE id = ?').run(id);
    appendEvent(ctx, { at: ctx.now(), kind: 'delete', identityId: id, name, score: null, decision: null, details: { templates } });
  }).immediate();
}

export function getIdentity(ctx: StoreContext, id: string): IdentityDetail {
  checkId(id, 'identity');
  const row = requireIdentityRow(ctx, id);
  const templates = ctx.db.prepare(
    `SELECT id, identity_id, model_id, dim, quality, source, thumbnail IS NOT NULL AS has_thumbnail, created_at
     FROM templates WHERE identity_id = ? ORDER BY created_at, rowid`,
  ).all(id) as TemplateRow[];
  return { ...toIdentity(ctx, row), templates: templates.map(toTemplateInfo) };
}

/** Case-insensitive, as the list was sorted when names were clear (COLLATE NOCASE), but locale-aware. */
const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function listIdentities(ctx: StoreContext): IdentitySummaryRow[] {
  const rows = ctx.db.prepare(
    `SELECT i.*,
       (SELECT count(*) FROM templates t WHERE t.identity_id = i.id) AS template_count,
       (SELECT t.id FROM templates t WHERE t.identity_id = i.id AND t.thumbnail IS NOT NULL
        ORDER BY t.created_at, t.rowid LIMIT 1) AS thumbnail_template
     FROM identities i`,
  ).all() as (IdentityRow & { template_count: number; thumbnail_template: string | null })[];
  return rows
    .map((row) => ({ ...toIdentity(ctx, row), row }))
    .sort((a, b) => byName.compare(a.name, b.name) || a.createdAt - b.createdAt)
    .map(({ row, ...identity }) => ({
      ...identity,
      templateCount: row.template_count,
      thumbnail: row.thumbnail_template === null ? null : templateThumbnail(ctx, row.thumbnail_template),
    }));
}

export function templateThumbnail(ctx: StoreContext, templateId: string): Uint8Array | null {
  checkId(templateId, 'template');
  const row = ctx.db.prepare('SELECT thumbnail FROM templates WHERE id = ?').get(templateId) as { thumbnail: Buffer | null } | undefined;
  if (row === undefined) throw new StoreError('not_found', 'That template was removed; refresh the list.');
  if (row.thumbnail === null) return null;
  const plain = unseal(ctx.key, place.templateThumbnail(templateId), row.thumbnail);
  if (plain === null) throw damaged(ctx, `The thumbnail of template ${templateId}`);
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
}

/** Streams every template (or one identity's), opened and length-checked, in enrolment order (for the matcher). */
export function* allTemplates(ctx: StoreContext, identityId?: string): Generator<StoredTemplate> {
  const rows = (identityId === undefined
    ? ctx.db.prepare('SELECT id, identity_id, model_id, dim, vector FROM templates ORDER BY rowid').iterate()
    : ctx.db.prepare('SELECT id, identity_id, model_id, dim, vector FROM templates WHERE identity_id = ? ORDER BY rowid').iterate(identityId)
  ) as IterableIterator<{ id: string; identity_id: string; model_id: string; dim: number; vector: Buffer }>;
  for (const row of rows) {
    const plain = unseal(ctx.key, place.templateVector(row.id), row.vector);
    const vector = plain === null ? null : bytesToVector(plain, row.dim);
    if (vector === null) throw damaged(ctx, `Template ${row.id}`);
    yield { id: row.id, identityId: row.identity_id, modelId: row.model_id, vector };
  }
}

/**
 * Opens the first templates to prove the key fits the data, not only the key check. One bad row is
 * set aside later (quarantine.ts); only when none of them opens is the database itself in doubt.
 */
export function openFirstTemplate(ctx: StoreContext): void {
  const rows = ctx.db.prepare('SELECT id, dim, vector FROM templates ORDER BY rowid LIMIT 16').all() as { id: string; dim: number; vector: Buffer }[];
  if (rows.length === 0) return;
  const opens = rows.some((row) => {
    const plain = unseal(ctx.key, place.templateVector(row.id), row.vector);
    return plain !== null && bytesToVector(plain, row.dim) !== null;
  });
  if (!opens) throw damaged(ctx, `Template ${rows[0]!.id}`);
}

/** Opens every sealed name, note, event, vector and thumbnail: a backup is only worth keeping if all of it reads. */
export function openEverySeal(ctx: StoreContext, personalSealed: boolean): void {
  // A backup older than migration 0004 holds names in plain text; it is sealed when restored.
  if (personalSealed) {
    const people = ctx.db.prepare('SELECT * FROM identities').iterate() as IterableIterator<IdentityRow>;
    for (const row of people) toIdentity(ctx, row);
    const events = ctx.db.prepare('SELECT id, sealed_body FROM events').iterate() as IterableIterator<{ id: number; sealed_body: Buffer }>;
    for (const row of events) {
      if (unseal(ctx.key, place.eventBody(row.id), row.sealed_body) === null) throw damaged(ctx, `Entry ${row.id} of the event log`);
    }
  }
  const rows = ctx.db.prepare('SELECT id, dim, vector, thumbnail FROM templates ORDER BY rowid')
    .iterate() as IterableIterator<{ id: string; dim: number; vector: Buffer; thumbnail: Buffer | null }>;
  for (const row of rows) {
    const plain = unseal(ctx.key, place.templateVector(row.id), row.vector);
    if (plain === null || bytesToVector(plain, row.dim) === null) throw damaged(ctx, `Template ${row.id}`);
    if (row.thumbnail !== null && unseal(ctx.key, place.templateThumbnail(row.id), row.thumbnail) === null) {
      throw damaged(ctx, `The thumbnail of template ${row.id}`);
    }
  }
}

export function counts(ctx: StoreContext): { identities: number; templates: number } {
  return ctx.db.prepare('SELECT (SELECT count(*) FROM identities) AS identities, (SELECT count(*) FROM templates) AS templates')
    .get() as { identities: number; templates: number };
}
