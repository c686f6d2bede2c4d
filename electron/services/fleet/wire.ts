// A person as the fleet carries them (the plaintext inside the sealed blob), and the gate it passes on
// the way in: the contract's own schemas (core/contract/api.ts) for ids, names, notes, templates,
// quality, source and thumbnails, the same checks a call from the UI or an imported bundle meets.
import { z } from 'zod';
import { idSchema, nameSchema, notesSchema, qualitySchema, templateSchema, templateSourceSchema, thumbnailSchema, timeSchema } from '../../../core/contract/api';
import type { FleetPerson, JsonObject } from '../store/index';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export function encodePerson(p: FleetPerson): Buffer {
  return Buffer.from(JSON.stringify({
    name: p.name,
    notes: p.notes,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    templates: p.templates.map((t) => ({
      id: t.id, modelId: t.modelId, vector: b64(new Uint8Array(t.vector.buffer, t.vector.byteOffset, t.vector.byteLength)),
      quality: t.quality, source: t.source, thumbnail: t.thumbnail ? b64(t.thumbnail) : null, createdAt: t.createdAt,
    })),
  }), 'utf8');
}

const vectorSchema = z.string().max(8192).transform((s, ctx): Float32Array => {
  const bytes = Buffer.from(s, 'base64');
  const copy = new Uint8Array(bytes);
  const checked = bytes.length % 4 === 0 ? templateSchema.safeParse(new Float32Array(copy.buffer, 0, copy.length / 4)) : null;
  if (!checked?.success) {
    ctx.addIssue({ code: 'custom', message: checked ? (checked.error.issues[0]?.message ?? 'not a template') : 'a template is whole 32-bit floats' });
    return z.NEVER;
  }
  return checked.data;
});

const wirePersonSchema = z.strictObject({
  name: nameSchema,
  notes: notesSchema,
  createdAt: timeSchema,
  updatedAt: timeSchema,
  templates: z.array(z.strictObject({
    id: idSchema,
    modelId: z.string().min(1).max(200),
    vector: vectorSchema,
    quality: qualitySchema,
    source: templateSourceSchema,
    thumbnail: thumbnailSchema.nullable(),
    createdAt: timeSchema,
  })).min(1).max(1000),
});

/** The person, or the sentence saying why the row was set aside. */
export function decodePerson(id: string, plain: Buffer): FleetPerson | string {
  if (!idSchema.safeParse(id).success) return 'its id is not an id';
  let json: unknown;
  try {
    json = JSON.parse(plain.toString('utf8'));
  } catch {
    return 'its contents are not JSON';
  }
  const parsed = wirePersonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `it failed the contract's checks (${issue ? `${issue.path.join('.') || 'person'}: ${issue.message}` : 'invalid'})`;
  }
  const p = parsed.data;
  return { id, ...p, templates: p.templates.map((t) => ({ ...t, quality: t.quality as JsonObject, thumbnail: t.thumbnail ?? null })) };
}
