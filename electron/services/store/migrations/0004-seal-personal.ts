import { StoreError } from '../errors';
import { entryMac, macKey, resetChain, writeHead } from '../eventChain';
import { place, seal, sealText } from '../seal';
import type { Migration } from './migration';

export const SEALED_VERSION = 4;

// Names, notes and the event log (who, with what score, what verdict, the details; check-ins are
// events) are sealed like the templates, each bound to its row. What stays clear is what queries need
// and what names nobody: random ids, times, the event kind. Each event gets an HMAC chained over the
// previous one (eventChain.ts). One transaction with the version bump: a crash leaves the plaintext
// database whole, or the sealed one; the store VACUUMs afterwards so no freed page keeps old text.
export const sealPersonal: Migration = {
  version: SEALED_VERSION,
  name: 'seal-personal',
  up(db, { key }) {
    if (key === null) throw new StoreError('wrong_key', 'Sealing names and the event log needs the database key.');
    db.exec(`
      ALTER TABLE identities ADD COLUMN sealed_name BLOB NOT NULL DEFAULT x'';
      ALTER TABLE identities ADD COLUMN sealed_notes BLOB NOT NULL DEFAULT x'';
      ALTER TABLE events ADD COLUMN sealed_body BLOB NOT NULL DEFAULT x'';
      ALTER TABLE events ADD COLUMN mac BLOB;
      -- The newest entry's id and MAC, MACed themselves: deleting the last rows breaks this, not a row.
      CREATE TABLE event_log_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_id INTEGER NOT NULL,
        last_mac BLOB NOT NULL,
        mac BLOB NOT NULL
      ) STRICT;
    `);

    const people = db.prepare('SELECT id, display_name, notes FROM identities').all() as { id: string; display_name: string; notes: string }[];
    const sealIdentity = db.prepare('UPDATE identities SET sealed_name = ?, sealed_notes = ? WHERE id = ?');
    for (const p of people) {
      sealIdentity.run(sealText(key, place.identityName(p.id), p.display_name), sealText(key, place.identityNotes(p.id), p.notes), p.id);
    }

    const mk = macKey(key);
    resetChain(db, mk);
    const rows = db.prepare('SELECT id, at, kind, identity_id, display_name, score, decision, details FROM events ORDER BY id').all() as {
      id: number; at: number; kind: Parameters<typeof entryMac>[2]['kind']; identity_id: string | null; display_name: string | null;
      score: number | null; decision: string | null; details: string | null;
    }[];
    const sealEvent = db.prepare('UPDATE events SET sealed_body = ?, mac = ? WHERE id = ?');
    let previous: Buffer | null = null;
    let lastId = 0;
    for (const e of rows) {
      const body = seal(key, place.eventBody(e.id), Buffer.from(JSON.stringify({
        name: e.display_name, score: e.score, decision: e.decision, details: e.details === null ? null : JSON.parse(e.details) as unknown,
      })));
      const mac = entryMac(mk, previous ?? Buffer.alloc(32), { id: e.id, at: e.at, kind: e.kind, identity_id: e.identity_id, body });
      sealEvent.run(body, mac, e.id);
      previous = mac;
      lastId = e.id;
    }
    if (previous !== null) writeHead(db, mk, lastId, previous);

    db.exec(`
      ALTER TABLE identities DROP COLUMN display_name;
      ALTER TABLE identities DROP COLUMN notes;
      ALTER TABLE events DROP COLUMN display_name;
      ALTER TABLE events DROP COLUMN score;
      ALTER TABLE events DROP COLUMN decision;
      ALTER TABLE events DROP COLUMN details;
    `);
  },
};
