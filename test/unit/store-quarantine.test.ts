// The store's side of issue 19: rows that would not load are set aside at open (a person whose id no
// API call could make, a template of the wrong dimension), counted and kept, and a backup holding a
// record the contract would refuse is not restored (the live database stays as it was).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { fileKeyring, openStore, StoreError } from '../../electron/services/store/index';
import { place, seal, sealText } from '../../electron/services/store/seal';
import { MODEL_ID, seededRandom, tempDir, templates } from '../support/store-fixtures';

const work = tempDir('store-quarantine');
afterAll(() => work.remove());
const current = { modelId: MODEL_ID };
let n = 0;
function fresh() {
  const dir = join(work.dir, `s${n++}`);
  const keyring = fileKeyring(join(dir, 'key'));
  return { dir, keyring, open: () => openStore({ dir, keyring, autoBackup: false, currentModel: current }) };
}

/** A person planted with SQL under an id no API call makes, sealed properly (so only the id is wrong), with a lockout. */
function plant(dbFile: string, key: Buffer): void {
  const db = new Database(dbFile);
  const id = 'Alice Martin';
  db.prepare('INSERT INTO identities (id, sealed_name, sealed_notes, created_at, updated_at) VALUES (?, ?, ?, 1, 1)')
    .run(id, sealText(key, place.identityName(id), 'Alice Martin'), sealText(key, place.identityNotes(id), ''));
  db.prepare('INSERT INTO lockouts (identity_id, failures, locked_until) VALUES (?, 3, NULL)').run(id);
  db.close();
}

describe('rows that would not load', () => {
  it('are set aside at open with their templates, counted, and kept in the database', () => {
    const s = fresh();
    const store = s.open();
    const ada = store.createIdentity({ name: 'Ada', templates: templates(seededRandom(1), 2, false) });
    store.close();
    plant(store.file, s.keyring.getKey());
    // And a 4-value template of the current model on Ada (sealed, so it opens: only its size is wrong).
    const db = new Database(store.file);
    const vector = Buffer.alloc(16);
    vector.writeFloatLE(1, 0);
    db.prepare(`INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, created_at) VALUES ('short', ?, ?, 4, ?, '{}', 'camera', 2)`)
      .run(ada.id, MODEL_ID, seal(s.keyring.getKey(), place.templateVector('short'), vector));
    db.close();

    const reopened = s.open();
    expect(reopened.listIdentities().map((p) => [p.name, p.templateCount])).toEqual([['Ada', 2]]);
    expect([...reopened.allTemplates()]).toHaveLength(2);
    expect(reopened.problems().map((p) => p.message)).toEqual([
      expect.stringMatching(/^1 person could not be used and was set aside/),
      expect.stringMatching(/^1 template could not be used and was set aside/),
    ]);
    reopened.close();
    const kept = new Database(store.file, { readonly: true });
    expect(kept.prepare('SELECT kind, row_id, reason FROM quarantine ORDER BY id').all()).toEqual([
      { kind: 'identity', row_id: 'Alice Martin', reason: 'the id is not one this app makes' },
      { kind: 'template', row_id: 'short', reason: 'a template has 512 values, got 4' },
    ]);
    // The planted person's failure count is held, nameless, not lost with the row.
    expect(kept.prepare('SELECT failures FROM held_lockouts').pluck().all()).toEqual([3]);
    kept.close();
    // Nothing new at the next open: the count stays what was set aside.
    const again = s.open();
    expect(again.problems()).toHaveLength(2);
    // "Delete all data" leaves nothing set aside or held either.
    again.deleteAllData();
    expect(again.problems()).toEqual([]);
    again.close();
    const erased = new Database(store.file, { readonly: true });
    expect(erased.prepare('SELECT (SELECT count(*) FROM quarantine) + (SELECT count(*) FROM held_lockouts)').pluck().get()).toBe(0);
    erased.close();
  });
});

describe('rows set aside on a desk of a fleet', () => {
  it('are the desk\'s own repair: nothing is noted to send, so no other desk loses the person', () => {
    const s = fresh();
    const store = s.open();
    store.createIdentity({ name: 'Ada', templates: templates(seededRandom(4), 2, false) });
    store.fleet.join({ fleetId: 'fleet-1', deskId: 'desk-1', config: {} });
    store.close();
    const noted = () => {
      const db = new Database(store.file, { readonly: true });
      try {
        return db.prepare("SELECT ref FROM fleet_pending WHERE kind = 'person' ORDER BY ref").pluck().all();
      } finally {
        db.close();
      }
    };
    const before = noted();
    plant(store.file, s.keyring.getKey());
    // The planted row itself was written behind the app's back: its own note is not what is tested.
    const db = new Database(store.file);
    db.prepare("DELETE FROM fleet_pending WHERE ref = 'Alice Martin'").run();
    db.close();
    const reopened = s.open();
    expect(reopened.problems().map((p) => p.kind)).toContain('quarantined-identities');
    reopened.close();
    expect(noted()).toEqual(before);
  });
});

describe('a backup to restore', () => {
  it('holding a record the contract would refuse is not restored, and the live database stays', async () => {
    const s = fresh();
    const store = s.open();
    store.createIdentity({ name: 'Ada', templates: templates(seededRandom(2), 1, false) });
    const backup = join(s.dir, 'backups', 'manual.db');
    await store.backup(backup);
    plant(backup, s.keyring.getKey());
    store.createIdentity({ name: 'Grace', templates: templates(seededRandom(3), 1, false) });
    let error: unknown;
    try {
      await store.restoreFrom(backup);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/holds a record this app would refuse, person 2 "Alice Martin" \(id Alice Martin\): expected an id\. Nothing was restored/);
    expect(store.listIdentities().map((p) => p.name)).toEqual(['Ada', 'Grace']);
    store.close();
  });
});
