// Settings (JSON values by key) and the login-policy lockout state, one row per identity.
import type { StoreContext } from './context';
import { StoreError } from './errors';
import type { Json, Lockout } from './types';

const MAX_KEY = 200;
const MAX_VALUE_BYTES = 1024 * 1024;

function checkKeyName(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY) throw new StoreError('invalid', `A setting name must be 1 to ${MAX_KEY} characters.`);
  return key;
}

/** The stored value, or undefined when the setting was never set (callers apply their default). */
export function getSetting(ctx: StoreContext, key: string): Json | undefined {
  const value = ctx.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(checkKeyName(key)) as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as Json);
}

export function setSetting(ctx: StoreContext, key: string, value: Json): void {
  const name = checkKeyName(key);
  const text = JSON.stringify(value);
  if (text === undefined) throw new StoreError('invalid', `The value of ${name} cannot be saved as JSON.`);
  if (text.length > MAX_VALUE_BYTES) throw new StoreError('invalid', `The value of ${name} is too large to save.`);
  ctx.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(name, text);
}

export function getLockout(ctx: StoreContext, identityId: string): Lockout {
  const row = ctx.db.prepare('SELECT failures, locked_until FROM lockouts WHERE identity_id = ?').get(identityId) as
    { failures: number; locked_until: number | null } | undefined;
  return { identityId, failures: row?.failures ?? 0, lockedUntil: row?.locked_until ?? null };
}

export function setLockout(ctx: StoreContext, state: Lockout): void {
  if (!Number.isInteger(state?.failures) || state.failures < 0) throw new StoreError('invalid', 'The failure count must be a whole number of at least 0.');
  if (state.lockedUntil !== null && !Number.isFinite(state.lockedUntil)) throw new StoreError('invalid', 'The lock end must be a time in milliseconds or null.');
  if (state.failures === 0 && state.lockedUntil === null) {
    ctx.db.prepare('DELETE FROM lockouts WHERE identity_id = ?').run(state.identityId);
    return;
  }
  const changed = ctx.db.prepare(
    `INSERT INTO lockouts (identity_id, failures, locked_until) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM identities WHERE id = ?)
     ON CONFLICT (identity_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
  ).run(state.identityId, state.failures, state.lockedUntil === null ? null : Math.trunc(state.lockedUntil), state.identityId).changes;
  if (changed === 0) throw new StoreError('not_found', 'That person is no longer enrolled; refresh the list.');
}

/** Every lockout row: a restore carries them over, so restoring an older copy never undoes a lock. */
export function allLockouts(ctx: StoreContext): Lockout[] {
  return (ctx.db.prepare('SELECT identity_id, failures, locked_until FROM lockouts').all() as { identity_id: string; failures: number; locked_until: number | null }[])
    .map((r) => ({ identityId: r.identity_id, failures: r.failures, lockedUntil: r.locked_until }));
}

/** Puts back the stronger of each kept lockout and the restored one, for people the restored data holds. */
export function keepLockouts(ctx: StoreContext, kept: readonly Lockout[]): void {
  for (const k of kept) {
    const now = getLockout(ctx, k.identityId);
    const lockedUntil = now.lockedUntil === null ? k.lockedUntil : k.lockedUntil === null ? now.lockedUntil : Math.max(now.lockedUntil, k.lockedUntil);
    ctx.db.prepare(
      `INSERT INTO lockouts (identity_id, failures, locked_until) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM identities WHERE id = ?)
       ON CONFLICT (identity_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
    ).run(k.identityId, Math.max(now.failures, k.failures), lockedUntil, k.identityId);
  }
}
