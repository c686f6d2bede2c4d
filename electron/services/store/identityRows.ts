// An identity row opened: its name and notes unsealed, a blob that does not open reported as damage.
// Its own module because identities.ts, events.ts (the name an event records) and fleet.ts all read
// names, and identities.ts writes events: with the reader here, none of them imports another in a circle.
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { place, unsealText } from './seal';
import type { Identity } from './types';

export interface IdentityRow {
  id: string;
  sealed_name: Buffer;
  sealed_notes: Buffer;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
}

export function toIdentity(ctx: StoreContext, row: IdentityRow): Identity {
  const name = unsealText(ctx.key, place.identityName(row.id), row.sealed_name);
  const notes = unsealText(ctx.key, place.identityNotes(row.id), row.sealed_notes);
  if (name === null || notes === null) throw damaged(ctx, `The name or notes of identity ${row.id}`);
  return {
    id: row.id,
    name,
    notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** The identity's name now, opened; null when it is not enrolled. */
export function currentName(ctx: StoreContext, id: string): string | null {
  const row = ctx.db.prepare('SELECT id, sealed_name, sealed_notes, created_at, updated_at, last_seen_at FROM identities WHERE id = ?').get(id) as IdentityRow | undefined;
  return row === undefined ? null : toIdentity(ctx, row).name;
}

export function damaged(ctx: StoreContext, what: string): StoreError {
  return new StoreError('corrupt', `${what} in ${ctx.file} is damaged and cannot be opened. Restore the database from a backup.`);
}
