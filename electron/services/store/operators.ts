// Operators: a sealed name, a passphrase hash made by the app (the store never sees a passphrase),
// an optional enrolled face, and their own failure count and lock, like a person's.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { place, sealText, unsealText } from './seal';
import type { StoredOperator } from './types';

interface OperatorRow {
  id: string;
  sealed_name: Buffer;
  passphrase_hash: string;
  face_identity_id: string | null;
  created_at: number;
  failures: number;
  locked_until: number | null;
}

function toOperator(ctx: StoreContext, row: OperatorRow): StoredOperator {
  const name = unsealText(ctx.key, place.operatorName(row.id), row.sealed_name);
  if (name === null) throw new StoreError('corrupt', `The name of operator ${row.id} in ${ctx.file} does not open with this key.`);
  return {
    id: row.id,
    name,
    passphraseHash: row.passphrase_hash,
    faceIdentityId: row.face_identity_id,
    createdAt: row.created_at,
    failures: row.failures,
    lockedUntil: row.locked_until,
  };
}

export function listOperators(ctx: StoreContext): StoredOperator[] {
  const rows = ctx.db.prepare('SELECT * FROM operators ORDER BY created_at, id').all() as OperatorRow[];
  return rows.map((r) => toOperator(ctx, r));
}

export function countOperators(ctx: StoreContext): number {
  return ctx.db.prepare('SELECT count(*) FROM operators').pluck().get() as number;
}

/** `onlyIfNone`: the first start's operator; refused when another caller created one first. */
export function addOperator(ctx: StoreContext, input: { name: string; passphraseHash: string; faceIdentityId: string | null }, onlyIfNone: boolean): StoredOperator {
  const id = randomUUID();
  const name = input.name.trim();
  ctx.db.transaction(() => {
    if (onlyIfNone && countOperators(ctx) > 0) throw new StoreError('invalid', 'The first operator has already been created: sign in instead.');
    const taken = listOperators(ctx).some((o) => o.name.toLowerCase() === name.toLowerCase());
    if (taken) throw new StoreError('invalid', `There is already an operator called ${name}.`);
    ctx.db.prepare('INSERT INTO operators (id, sealed_name, passphrase_hash, face_identity_id, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, sealText(ctx.key, place.operatorName(id), name), input.passphraseHash, input.faceIdentityId, ctx.now());
  }).immediate();
  return listOperators(ctx).find((o) => o.id === id)!;
}

export function removeOperator(ctx: StoreContext, id: string): void {
  ctx.db.transaction(() => {
    const exists = ctx.db.prepare('SELECT 1 FROM operators WHERE id = ?').get(id) !== undefined;
    if (!exists) throw new StoreError('not_found', 'That operator was already removed; refresh the list.');
    if (countOperators(ctx) <= 1) throw new StoreError('invalid', 'The last operator cannot be removed: add another operator first.');
    ctx.db.prepare('DELETE FROM operators WHERE id = ?').run(id);
  }).immediate();
}

export function setOperatorLockout(ctx: StoreContext, id: string, failures: number, lockedUntil: number | null): void {
  if (!Number.isInteger(failures) || failures < 0) throw new StoreError('invalid', 'The failure count must be a whole number of at least 0.');
  ctx.db.prepare('UPDATE operators SET failures = ?, locked_until = ? WHERE id = ?').run(failures, lockedUntil === null ? null : Math.trunc(lockedUntil), id);
}

/**
 * The operators recorded in another database file (a backup), read-only: while the live database
 * cannot be opened, its operators can still sign in to restore one. Empty when the file has none or
 * cannot be read with this key.
 */
export function operatorsInFile(file: string, key: Buffer): StoredOperator[] {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'operators'").get() !== undefined;
    if (!has) return [];
    const rows = db.prepare('SELECT * FROM operators ORDER BY created_at, id').all() as OperatorRow[];
    const ctx = { db, key, file, now: Date.now };
    return rows.flatMap((r) => {
      try {
        return [toOperator(ctx, r)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  } finally {
    db?.close();
  }
}
