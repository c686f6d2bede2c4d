// The opt-in cohort of unrecognised faces (migration 0003): the fused template of a kiosk visit that
// ended "not recognised", sealed like an enrolled template, with no identity and no image. Kept for
// the local calibration check and as fine-tuning negatives; capped and aged out by the caller's policy.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { seal, unseal, type SealPlace } from './seal';
import type { CohortPolicy, CohortTemplate } from './types';
import { bytesToVector, checkVector, vectorToBytes } from './vector';

/** Bound as associated data, so a cohort blob copied onto a template row (or back) does not open. */
const cohortVector = (id: string): SealPlace => `cohort.vector:${id}`;

function checkPolicy(policy: CohortPolicy): void {
  if (!Number.isInteger(policy.cap) || policy.cap < 0) throw new StoreError('invalid', `The cohort cap must be a whole number of faces, not ${policy.cap}.`);
  if (!(policy.maxAgeMs >= 0)) throw new StoreError('invalid', `The cohort's age limit must be a duration, not ${policy.maxAgeMs}.`);
}

/** Drops faces older than the age limit, then the oldest beyond the cap; returns how many went. */
function prune(ctx: StoreContext, policy: CohortPolicy, now: number): number {
  const aged = ctx.db.prepare('DELETE FROM cohort WHERE created_at < ?').run(now - policy.maxAgeMs).changes;
  const over = ctx.db
    .prepare('DELETE FROM cohort WHERE rowid IN (SELECT rowid FROM cohort ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)')
    .run(policy.cap).changes;
  return aged + over;
}

/** Keeps one fused template; prunes in the same transaction so the cap holds after every visit. */
export function addToCohort(ctx: StoreContext, modelId: string, vector: Float32Array, policy: CohortPolicy): string {
  checkPolicy(policy);
  if (typeof modelId !== 'string' || modelId.length === 0 || modelId.length > 200) throw new StoreError('invalid', 'A cohort face must name the model that produced it.');
  checkVector(vector, 'The cohort face');
  const id = randomUUID();
  const at = ctx.now();
  ctx.db.transaction(() => {
    ctx.db.prepare('INSERT INTO cohort (id, model_id, dim, vector, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, modelId, vector.length, seal(ctx.key, cohortVector(id), vectorToBytes(vector)), at);
    prune(ctx, policy, at);
  }).immediate();
  return id;
}

export function pruneCohort(ctx: StoreContext, policy: CohortPolicy): number {
  checkPolicy(policy);
  return ctx.db.transaction(() => prune(ctx, policy, ctx.now())).immediate();
}

export function cohortSize(ctx: StoreContext): { count: number; oldestAt: number | null } {
  const row = ctx.db.prepare('SELECT count(*) AS count, min(created_at) AS oldest FROM cohort').get() as { count: number; oldest: number | null };
  return { count: row.count, oldestAt: row.oldest };
}

/** Every cohort face, opened; a blob that does not open is damage, never skipped. */
export function* cohortTemplates(ctx: StoreContext): Generator<CohortTemplate> {
  const rows = ctx.db.prepare('SELECT id, model_id, dim, vector, created_at FROM cohort ORDER BY created_at, rowid')
    .iterate() as IterableIterator<{ id: string; model_id: string; dim: number; vector: Buffer; created_at: number }>;
  for (const row of rows) {
    const plain = unseal(ctx.key, cohortVector(row.id), row.vector);
    const vector = plain === null ? null : bytesToVector(plain, row.dim);
    if (vector === null) throw new StoreError('corrupt', `Cohort face ${row.id} in ${ctx.file} is damaged and cannot be opened. Clear the cohort or restore a backup.`);
    yield { id: row.id, modelId: row.model_id, vector, createdAt: row.created_at };
  }
}

export function clearCohort(ctx: StoreContext): number {
  return ctx.db.transaction(() => ctx.db.prepare('DELETE FROM cohort').run().changes).immediate();
}
