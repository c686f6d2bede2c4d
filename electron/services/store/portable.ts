// Identities taken out of the store opened (for a passphrase-sealed bundle) and brought back in,
// sealed again under this store's key. The bundle file itself is electron/services/bundle's business.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { appendEvent } from './events';
import { allTemplates, checkName, getIdentity, listIdentities, templateThumbnail } from './identities';
import { originRef, resumeLockout } from './quarantine';
import { place, seal, sealText } from './seal';
import type { ImportAction, ImportOutcome, PortableIdentity } from './types';
import { checkVector, vectorToBytes } from './vector';

const MAX_NOTES = 10_000;
/** Vectors this close (cosine) to a template the person already has are the same template: not added twice. */
const SAME_TEMPLATE = 0.999999;

/** The chosen identities (all when `ids` is absent), with their templates and thumbnails opened. */
export function exportIdentities(ctx: StoreContext, ids?: readonly string[]): PortableIdentity[] {
  const wanted = ids === undefined ? null : new Set(ids);
  const people = listIdentities(ctx).filter((p) => wanted === null || wanted.has(p.id));
  if (wanted !== null && people.length !== wanted.size) {
    throw new StoreError('not_found', 'Some of the chosen people are no longer enrolled; refresh the list and choose again.');
  }
  const vectors = new Map<string, Float32Array>();
  for (const t of allTemplates(ctx)) if (wanted === null || wanted.has(t.identityId)) vectors.set(t.id, t.vector);
  return people.map((p) => ({
    id: p.id,
    name: p.name,
    notes: p.notes,
    createdAt: p.createdAt,
    templates: getIdentity(ctx, p.id).templates.map((t) => ({
      modelId: t.modelId,
      vector: vectors.get(t.id)!,
      quality: t.quality,
      source: t.source,
      thumbnail: t.hasThumbnail ? templateThumbnail(ctx, t.id) : null,
      createdAt: t.createdAt,
    })),
  }));
}

/** The person here a bundle's id stands for: the one with that id (exported from here), else the one imported with it. */
export function identityFromBundleId(ctx: StoreContext, bundleId: string): string | null {
  const own = ctx.db.prepare('SELECT id FROM identities WHERE id = ?').pluck().get(bundleId) as string | undefined;
  if (own !== undefined) return own;
  const imported = ctx.db.prepare('SELECT id FROM identities WHERE origin = ? ORDER BY created_at LIMIT 1').pluck().get(originRef(ctx.key, bundleId)) as string | undefined;
  return imported ?? null;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Writes the bundle's identities as `actions` says (by bundle identity id; absent: add), all in one
 * transaction: a failure half-way leaves the store as it was. Every blob is sealed under this store's key.
 */
export function importIdentities(ctx: StoreContext, people: readonly PortableIdentity[], actions: ReadonlyMap<string, ImportAction>): ImportOutcome {
  for (const p of people) {
    checkName(p.name);
    if (typeof p.notes !== 'string' || p.notes.length > MAX_NOTES) throw new StoreError('invalid', `The notes of ${p.name} in the bundle are not valid text.`);
    if (p.templates.length === 0) throw new StoreError('invalid', `${p.name} has no templates in the bundle.`);
    p.templates.forEach((t, i) => checkVector(t.vector, `Template ${i + 1} of ${p.name}`));
  }
  const at = ctx.now();
  const outcome: ImportOutcome = { added: 0, merged: 0, skipped: 0, templates: 0 };
  ctx.db.transaction(() => {
    const held = new Map<string, Float32Array[]>();
    for (const t of allTemplates(ctx)) held.set(t.identityId, [...(held.get(t.identityId) ?? []), t.vector]);
    const exists = ctx.db.prepare('SELECT 1 FROM identities WHERE id = ?').pluck();
    const insertTemplate = ctx.db.prepare(
      `INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const person of people) {
      const action = actions.get(person.id) ?? { kind: 'add' };
      if (action.kind === 'skip') {
        outcome.skipped++;
        continue;
      }
      let identityId: string;
      let name = person.name;
      if (action.kind === 'merge') {
        if (exists.get(action.into) === undefined) throw new StoreError('not_found', `The person to merge ${person.name} into is no longer enrolled; refresh and import again.`);
        identityId = action.into;
        name = getIdentity(ctx, identityId).name;
        outcome.merged++;
      } else {
        // Ids are this machine's: the file's id is kept only as a keyed "came from" digest, for
        // recognising the same person later and for the lockout they left behind.
        identityId = randomUUID();
        const origin = originRef(ctx.key, person.id);
        ctx.db.prepare('INSERT INTO identities (id, sealed_name, sealed_notes, created_at, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?)')
          .run(identityId, sealText(ctx.key, place.identityName(identityId), person.name.trim()),
            sealText(ctx.key, place.identityNotes(identityId), person.notes), person.createdAt, at, origin);
        resumeLockout(ctx, identityId, origin);
        outcome.added++;
      }
      const mine = held.get(identityId) ?? [];
      let written = 0;
      for (const t of person.templates) {
        if (mine.some((v) => v.length === t.vector.length && dot(v, t.vector) >= SAME_TEMPLATE)) continue;
        const id = randomUUID();
        insertTemplate.run(id, identityId, t.modelId, t.vector.length, seal(ctx.key, place.templateVector(id), vectorToBytes(t.vector)),
          JSON.stringify(t.quality), t.source, t.thumbnail ? seal(ctx.key, place.templateThumbnail(id), t.thumbnail) : null, t.createdAt);
        mine.push(t.vector);
        written++;
      }
      held.set(identityId, mine);
      outcome.templates += written;
      ctx.db.prepare('UPDATE identities SET updated_at = ? WHERE id = ?').run(at, identityId);
      appendEvent(ctx, {
        at, kind: 'enroll', identityId, name, score: null, decision: null,
        details: { action: action.kind === 'merge' ? 'import-merge' : 'import', templates: written },
      });
    }
  }).immediate();
  return outcome;
}
