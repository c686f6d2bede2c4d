// The one gate for data from outside (a bundle today; any later import path): every record it would
// write passes the schemas the contract applies to API calls (names and notes as identities.create
// takes them, 512-d unit templates, quality, source, times), thumbnails must decode as the JPEG they
// claim to be (jpeg.ts), and the first record that fails is named in a sentence. Nothing here writes anything.
import { z } from 'zod';
import {
  idSchema, MAX_BUNDLE_BYTES, nameSchema, notesSchema, qualitySchema, TEMPLATE_DIM, templateSchema, templateSourceSchema, thumbnailSchema, timeSchema,
  type Quality, type TemplateSource,
} from './api';
import { base64ToBytes, isBase64 } from '../vision/base64';
import { jpegProblem } from './jpeg';
import { printable } from './printable';

/** Templates one person may bring in one file (the file's size bounds it long before). */
export const MAX_IMPORTED_TEMPLATES = 1000;
/** People in one file: a 5 MiB bundle holds about 2,000 one-template people. */
export const MAX_IMPORTED_PEOPLE = Math.ceil(MAX_BUNDLE_BYTES / (TEMPLATE_DIM * 4));

/** A checked record, ready for the store: the id is the file's, kept only as a "came from" reference. */
export interface ImportedRecord {
  originId: string;
  name: string;
  notes: string;
  createdAt: number;
  templates: { modelId: string; vector: Float32Array; quality: Quality; source: TemplateSource; thumbnail: Uint8Array | null; createdAt: number }[];
}

/** Little-endian float32 from base64 (what the bundle writes), decoded before the template's own checks. */
function base64Floats(text: string): Float32Array | null {
  const bytes = base64ToBytes(text);
  if (bytes.length % 4 !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

const vectorText = z
  .string()
  .max(Math.ceil((TEMPLATE_DIM * 4) / 3) * 4 + 4, `a template has ${TEMPLATE_DIM} values`)
  .refine(isBase64, 'a template is base64 float32')
  .transform((s, ctx): Float32Array | number[] => {
    const v = base64Floats(s);
    if (v === null) ctx.addIssue({ code: 'custom', message: 'a template is a whole number of float32 values' });
    return v ?? new Float32Array(0);
  })
  .pipe(templateSchema);

/** A thumbnail as the contract takes one, that also reads as a complete JPEG image. */
const importedThumbnail = thumbnailSchema.superRefine((bytes, ctx) => {
  const problem = jpegProblem(bytes);
  if (problem) ctx.addIssue({ code: 'custom', message: `the thumbnail is not the JPEG image it claims to be: ${problem}` });
});

/** The schema of one person in a file, for the embedder `modelId`. */
export function importedPersonSchema(modelId: string) {
  const template = z.strictObject({
    modelId: z.literal(modelId, `templates of another face model ("${modelId}" expected) cannot be compared`),
    dim: z.literal(TEMPLATE_DIM, `a template has ${TEMPLATE_DIM} values`),
    vector: vectorText,
    quality: qualitySchema,
    source: templateSourceSchema,
    thumbnail: importedThumbnail.nullable(),
    createdAt: timeSchema,
  });
  return z.strictObject({
    id: idSchema,
    name: nameSchema,
    notes: notesSchema,
    createdAt: timeSchema,
    templates: z.array(template).min(1, 'a person needs at least one template').max(MAX_IMPORTED_TEMPLATES),
  });
}

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

/** How the first bad record is named: its place in the file, and its id and name as far as they are text. */
function whoIs(raw: unknown, index: number): string {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const name = typeof r['name'] === 'string' ? ` "${printable(r['name'].slice(0, 60))}"` : '';
  const id = typeof r['id'] === 'string' ? ` (id ${printable(r['id'].slice(0, 70))})` : '';
  return `person ${index + 1}${name}${id}`;
}

/**
 * Checks every person of a file; throws RecordError naming the first bad record and what is wrong,
 * so that a file failing any check changes nothing.
 */
export function checkImportedPeople(people: unknown, modelId: string): ImportedRecord[] {
  if (!Array.isArray(people) || people.length === 0) throw new RecordError('The file holds no people.');
  if (people.length > MAX_IMPORTED_PEOPLE) throw new RecordError(`The file holds ${people.length} people; one import takes at most ${MAX_IMPORTED_PEOPLE}.`);
  const schema = importedPersonSchema(modelId);
  return people.map((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.map((p) => (typeof p === 'number' ? `${p + 1}` : String(p))).join(' ');
      throw new RecordError(`The file's ${whoIs(raw, index)} is not valid${path ? ` (${path})` : ''}: ${issue.message}. Nothing was imported.`);
    }
    const p = parsed.data;
    return {
      originId: p.id,
      name: p.name,
      notes: p.notes,
      createdAt: p.createdAt,
      templates: p.templates.map((t) => ({ modelId: t.modelId, vector: t.vector, quality: t.quality, source: t.source, thumbnail: t.thumbnail, createdAt: t.createdAt })),
    };
  });
}
