// People and their templates (operator calls), the duplicate check before enrolling, and "who is
// this photo?" (identify), a 1:N decision like a kiosk visit of one probe.
import { ApiError, type Candidate, type Identity, type IdentitySummary, type ParsedArgs, type TemplateInfo } from '../../../../core/contract/api';
import { identify } from '../../../../core/matching/identify';
import { StoreError } from '../../store/index';
import type { IdentityDetail, IdentitySummaryRow, JsonObject, NewTemplate, TemplateRecord } from '../../store/types';
import type { AppContext } from '../context';
import type { Handlers } from '../dispatch';
import { galleryOf, visitThreshold } from '../gallery';

type IdentityCalls =
  | 'identities.list' | 'identities.get' | 'identities.create' | 'identities.rename' | 'identities.addTemplates' | 'identities.removeTemplate' | 'identities.delete'
  | 'enroll.checkDuplicate' | 'identify';

export const b64 = (bytes: Uint8Array | null | undefined): string | null => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : null);

export function candidate(ctx: AppContext, identityId: string, score: number): Candidate {
  return { identityId, name: ctx.gallery.nameOf(identityId) ?? '(deleted)', score };
}

export function identityCalls(ctx: AppContext): Pick<Handlers, IdentityCalls> {
  const templateInfo = (t: TemplateRecord): TemplateInfo => ({
    id: t.id,
    modelId: t.modelId,
    quality: t.quality as unknown as TemplateInfo['quality'],
    source: t.source,
    createdAt: t.createdAt,
    thumbnail: t.hasThumbnail ? b64(ctx.db().templateThumbnail(t.id)) : null,
  });
  const lockedUntil = (identityId: string): number | null => {
    const remaining = ctx.lockRemaining(ctx.db().getLockout(identityId));
    return remaining === null ? null : ctx.now() + remaining;
  };
  const summary = (i: IdentitySummaryRow): IdentitySummary => ({
    id: i.id,
    name: i.name,
    notes: i.notes,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    templateCount: i.templateCount,
    thumbnail: b64(i.thumbnail),
    lockedUntil: lockedUntil(i.id),
  });
  const identity = (d: IdentityDetail): Identity => {
    const templates = d.templates.map(templateInfo);
    const best = [...templates].sort((a, b) => b.quality.score - a.quality.score).find((t) => t.thumbnail);
    return {
      id: d.id,
      name: d.name,
      notes: d.notes,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      templateCount: templates.length,
      thumbnail: best?.thumbnail ?? null,
      lockedUntil: lockedUntil(d.id),
      templates,
    };
  };
  const enrolled = (identityId: string): boolean => {
    try {
      ctx.db().getIdentity(identityId);
      return true;
    } catch (e) {
      // Unknown (the database failed or is closed): keep the matcher as it is rather than guess.
      return !(e instanceof StoreError && e.code === 'not_found');
    }
  };
  const toNewTemplates = (templates: ParsedArgs<'identities.create'>['templates']): NewTemplate[] =>
    templates.map((t) => ({ modelId: ctx.deps.modelId, vector: t.vector, quality: t.quality as JsonObject, source: t.source, thumbnail: t.thumbnail ?? null }));

  return {
    'identities.list': ({ query }) => {
      const q = query?.trim().toLowerCase();
      return ctx
        .db()
        .listIdentities()
        .filter((i) => !q || i.name.toLowerCase().includes(q))
        .map(summary);
    },
    'identities.get': ({ id }) => identity(ctx.db().getIdentity(id)),
    'identities.create': ({ name, notes, templates }) => {
      const created = ctx.db().createIdentity({ name, notes: notes ?? '', templates: toNewTemplates(templates) });
      ctx.gallery.named(created.id, created.name);
      ctx.gallery.reindex(created.id);
      ctx.db().logEvent({ kind: 'enroll', identityId: created.id, details: { action: 'create', templates: templates.length } });
      return identity(created);
    },
    'identities.rename': ({ id, name, notes }) => {
      const s = ctx.db();
      const renamed = s.renameIdentity(id, name);
      if (notes !== undefined) s.updateNotes(id, notes);
      ctx.gallery.named(id, renamed.name);
      s.logEvent({ kind: 'enroll', identityId: id, details: { action: 'rename' } });
      return identity(s.getIdentity(id));
    },
    'identities.addTemplates': ({ id, templates }) => {
      ctx.db().addTemplates(id, toNewTemplates(templates));
      ctx.gallery.reindex(id);
      ctx.db().logEvent({ kind: 'enroll', identityId: id, details: { action: 'add-templates', templates: templates.length } });
      return identity(ctx.db().getIdentity(id));
    },
    'identities.removeTemplate': ({ id, templateId }) => {
      if (!ctx.db().getIdentity(id).templates.some((t) => t.id === templateId)) {
        throw new ApiError({ code: 'not-found', message: 'That template does not belong to this person (it may have been removed already).' });
      }
      ctx.db().removeTemplate(templateId);
      ctx.gallery.removeTemplate(templateId);
      ctx.db().logEvent({ kind: 'enroll', identityId: id, details: { action: 'remove-template' } });
      return identity(ctx.db().getIdentity(id));
    },
    'identities.delete': ({ id }) => {
      // The store logs the deletion itself.
      try {
        ctx.db().deleteIdentity(id);
      } finally {
        // Out of the matcher as soon as the deletion is committed, whatever failed after the commit.
        if (!enrolled(id)) ctx.gallery.forget(id);
      }
      return { deleted: id };
    },

    'enroll.checkDuplicate': ({ templates, level: requested }) => {
      const { level: l, threshold } = ctx.level(requested);
      const matcher = ctx.gallery.matcher;
      let best: Candidate | null = null;
      for (const t of templates) {
        const hit = matcher.size > 0 ? matcher.search(t, 1)[0] : undefined;
        if (hit && hit.score >= threshold && (!best || hit.score > best.score)) best = candidate(ctx, hit.identityId, hit.score);
      }
      return { duplicate: best, threshold, level: l };
    },

    identify: ({ probe, k, level: requested }) => {
      // "Is this photo anyone enrolled?" is a 1:N decision like a kiosk visit of one probe: its level
      // holds per question against the whole gallery, so it gets the visit's threshold, not one comparison's.
      const { level: l } = ctx.level(requested);
      const matcher = ctx.gallery.matcher;
      const threshold = visitThreshold(ctx.levels(), l, galleryOf(matcher), 1);
      let candidates: Candidate[] = [];
      const agents = ctx.gallery.agents;
      if (agents) {
        // Ranked by cosine to each person's agent; the open-set threshold stays the calibrated one.
        const found = identify(matcher, probe, k ?? 5, threshold, agents);
        if (!found.ok) throw new ApiError({ code: 'invalid-arguments', message: `The probe cannot be identified: ${found.error}.` });
        candidates = found.candidates.map((h) => candidate(ctx, h.identityId, h.score));
      } else if (matcher.size > 0) {
        candidates = matcher.search(probe, k ?? 5).map((h) => candidate(ctx, h.identityId, h.score));
      }
      const top = candidates[0];
      return { candidates, recognised: top && top.score >= threshold ? top : null, threshold, level: l };
    },
  };
}
