// Names, notes and the event log at rest: migration 0004 seals a plaintext database (and the backups
// made before it) so no byte of a name, note or event detail is left; the log's MAC chain names the
// first entry edited or deleted with a plain SQLite client, and says nothing of an untouched log.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, LATEST_VERSION, openStore } from '../../electron/services/store/index';
import type { Keyring, Store } from '../../electron/services/store/index';
import { migrate } from '../../electron/services/store/migrations/index';
import { place, seal } from '../../electron/services/store/seal';
import { contains, databaseBytes, MODEL_ID, seededRandom, templates, tempDir, unitVector } from '../support/store-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fresh(label: string): { dir: string; keyring: Keyring; file: string } {
  const t = tempDir(label);
  cleanups.push(t.remove);
  return { dir: t.dir, keyring: fileKeyring(join(t.dir, 'key')), file: join(t.dir, 'normface.db') };
}

function open(where: { dir: string; keyring: Keyring }): Store {
  const store = openStore({ dir: where.dir, keyring: where.keyring });
  cleanups.push(() => store.close());
  return store;
}

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Zoë Ørsted'];
const NOTE = 'allergic to penicillin, room 4711';
const DETAIL = 'front-door-kiosk-7';

/** A schema-3 database as the previous release wrote it: names, notes and events in plain text. */
function writeVersion3(where: { dir: string; keyring: Keyring; file: string }): void {
  const key = where.keyring.getKey();
  const random = seededRandom(404);
  const db = new Database(where.file);
  db.pragma('journal_mode = WAL');
  migrate(db, 3);
  db.prepare('INSERT INTO key_check (id, sealed) VALUES (1, ?)').run(seal(key, place.keyCheck, Buffer.from('normface key check v1')));
  const insertEvent = db.prepare('INSERT INTO events (at, kind, identity_id, display_name, score, decision, details) VALUES (?, ?, ?, ?, ?, ?, ?)');
  NAMES.forEach((name, i) => {
    const id = `id-${i}`;
    db.prepare('INSERT INTO identities (id, display_name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, name, i === 0 ? NOTE : '', i, i);
    const t = `t-${i}`;
    db.prepare(`INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at) VALUES (?, ?, ?, 512, ?, '{}', 'camera', NULL, 5)`)
      .run(t, id, MODEL_ID, seal(key, place.templateVector(t), Buffer.from(unitVector(random).buffer)));
    insertEvent.run(10 + i, 'enroll', id, name, null, null, JSON.stringify({ templates: 1 }));
    insertEvent.run(100 + i, 'checkin', id, name, 0.71, 'accept', JSON.stringify({ repeat: false, door: DETAIL }));
  });
  insertEvent.run(200, 'verify', 'id-1', NAMES[1], 0.12, 'reject', JSON.stringify({ reason: 'no-match' }));
  db.close();
}

function allBytes(where: { dir: string; file: string }): Buffer[] {
  const backups = join(where.dir, 'backups');
  const copies = existsSync(backups) ? readdirSync(backups).map((n) => readFileSync(join(backups, n))) : [];
  return [...databaseBytes(where.file), ...copies];
}

const leaks = (haystacks: Buffer[]): string[] =>
  [...NAMES, NOTE, DETAIL, 'no-match'].filter((text) => contains(haystacks, Buffer.from(text, 'utf8')));

describe('migration 0004 seals a plaintext database', () => {
  it('keeps every name, note and event, and leaves no plaintext in the file, its WAL or the older backups', async () => {
    const where = fresh('seal-mig');
    writeVersion3(where);
    mkdirSync(join(where.dir, 'backups'));
    copyFileSync(where.file, join(where.dir, 'backups', 'backup-before.db'));
    expect(leaks(allBytes(where))).toEqual([...NAMES, NOTE, DETAIL, 'no-match']);

    const store = open(where);
    expect(store.autoBackupProblem).toBeNull();
    expect(store.listIdentities().map((p) => [p.id, p.name, p.notes])).toEqual([
      ['id-0', 'Ada Lovelace', NOTE], ['id-1', 'Grace Hopper', ''], ['id-2', 'Zoë Ørsted', ''],
    ]);
    const log = store.listEvents();
    expect(log).toHaveLength(7);
    expect(log[0]).toMatchObject({ at: 200, kind: 'verify', identityId: 'id-1', name: 'Grace Hopper', score: 0.12, decision: 'reject', details: { reason: 'no-match' } });
    expect(store.listEvents({ kinds: ['checkin'], identityId: 'id-0' })[0]).toMatchObject({ name: 'Ada Lovelace', score: 0.71, details: { door: DETAIL } });
    expect(store.eventLog()).toEqual({ intact: true, entries: 7, firstAltered: null, message: null });
    store.close();

    const db = new Database(where.file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // The auto backup (taken before migrating) and the older one were sealed the same way.
    expect(readdirSync(join(where.dir, 'backups')).sort(), 'no staged copy left').toEqual(['auto-backup.db', 'backup-before.db']);
    expect(leaks(allBytes(where))).toEqual([]);
    const restored = open(where);
    expect((await restored.restoreFrom(join(where.dir, 'backups', 'backup-before.db'))).identities).toBe(3);
    expect(restored.listIdentities().map((p) => p.name)).toEqual(NAMES);
  });

  it('writes names sealed from the start: search and sort work on the opened list', () => {
    const where = fresh('seal-new');
    const store = open(where);
    const random = seededRandom(5);
    for (const name of ['bob', 'Ada', 'Émile', 'alice']) store.createIdentity({ name, notes: `${name} notes`, templates: templates(random, 1, false) });
    expect(store.listIdentities().map((p) => p.name)).toEqual(['Ada', 'alice', 'bob', 'Émile']);
    store.close();
    expect(['alice notes', 'Émile', 'bob'].filter((t) => contains(databaseBytes(where.file), Buffer.from(t)))).toEqual([]);
  });
});

describe('the event log is tamper-evident', () => {
  function withLog(label: string): { where: ReturnType<typeof fresh>; ids: number[] } {
    const where = fresh(label);
    const store = open(where);
    const ada = store.createIdentity({ name: 'Ada', templates: templates(seededRandom(8), 1, false) });
    for (let i = 0; i < 5; i++) store.logEvent({ kind: 'checkin', identityId: ada.id, score: 0.6 + i / 100, decision: 'accept', at: 1_000 + i });
    store.logEvent({ kind: 'verify', identityId: ada.id, score: 0.1, decision: 'reject', at: 2_000 });
    const ids = store.listEvents().map((e) => e.id).sort((a, b) => a - b);
    store.close();
    return { where, ids };
  }

  function tamper(file: string, sql: string, ...params: unknown[]): void {
    const db = new Database(file);
    db.prepare(sql).run(...params);
    db.close();
  }

  it('reports nothing for an untouched log, across reopenings and new entries', () => {
    const { where, ids } = withLog('log-clean');
    const store = open(where);
    expect(store.eventLog()).toEqual({ intact: true, entries: ids.length, firstAltered: null, message: null });
    store.logEvent({ kind: 'backup', details: { note: 'x' } });
    store.close();
    const again = open(where);
    expect(again.eventLog().intact).toBe(true);
    // Erasing everything starts a new chain, which verifies too.
    again.deleteAllData();
    expect(again.eventLog()).toEqual({ intact: true, entries: 1, firstAltered: null, message: null });
    again.close();
    expect(open(where).eventLog()).toMatchObject({ intact: true, entries: 1 });
  });

  it('names the first entry edited with a plain SQLite client', () => {
    const { where, ids } = withLog('log-edit');
    const target = ids[3]!;
    // Moving a failed login's time, the simplest forgery: the sealed body is untouched.
    tamper(where.file, 'UPDATE events SET at = at + 1 WHERE id = ?', target);
    const store = open(where);
    const check = store.eventLog();
    expect(check).toMatchObject({ intact: false, firstAltered: { id: target, how: 'changed' } });
    expect(check.message).toContain(`entry ${target}`);
    // The app runs on; the break is still reported after it writes more.
    store.logEvent({ kind: 'backup' });
    store.close();
    expect(open(where).eventLog().firstAltered?.id).toBe(target);
  });

  it('names a deleted entry, in the middle or at the end of the log', () => {
    const middle = withLog('log-del-mid');
    const gone = middle.ids[2]!;
    tamper(middle.where.file, 'DELETE FROM events WHERE id = ?', gone);
    const a = open(middle.where).eventLog();
    expect(a).toMatchObject({ intact: false, firstAltered: { id: gone, how: 'removed' } });
    expect(a.message).toContain(`entry ${gone} was deleted`);

    const tail = withLog('log-del-last');
    const last = tail.ids.at(-1)!;
    tamper(tail.where.file, 'DELETE FROM events WHERE id = ?', last);
    const store = open(tail.where);
    expect(store.eventLog()).toMatchObject({ intact: false, firstAltered: { id: last, how: 'removed' } });
    // The next entry re-signs the head; the deletion stays reported.
    store.logEvent({ kind: 'backup' });
    store.close();
    expect(open(tail.where).eventLog().firstAltered?.id).toBe(last);
  });

  it('opens by checking only the entries after the sealed checkpoint; the full check finds an older entry edited, and only a full check that passes clears it', async () => {
    const { where, ids } = withLog('log-checkpoint');
    // This open verifies every entry and seals a checkpoint at the newest one.
    open(where).close();
    const target = ids[2]!;
    const db = new Database(where.file);
    const original = db.prepare('SELECT at FROM events WHERE id = ?').pluck().get(target) as number;
    db.prepare('UPDATE events SET at = at + 1 WHERE id = ?').run(target);
    db.close();
    const store = open(where);
    // Behind the checkpoint: the quick check at open does not read it ...
    expect(store.eventLog().intact).toBe(true);
    // ... the full check does, and the break is kept (naming the entry) across new entries and opens.
    const full = store.checkEventLog();
    expect(full).toMatchObject({ intact: false, firstAltered: { id: target, how: 'changed' } });
    expect(full.message).toContain(`entry ${target}`);
    expect(store.eventLog()).toEqual(full);
    // The app's background check, two entries a step (each its own snapshot), finds the same.
    expect(await store.checkEventLogInSteps(() => Promise.resolve(), 2)).toEqual(full);
    store.logEvent({ kind: 'backup' });
    store.close();
    const again = open(where);
    expect(again.eventLog().firstAltered?.id).toBe(target);
    again.close();
    // Put back as it was: an incremental open still reports the stored break; a full check that passes clears it.
    const fix = new Database(where.file);
    fix.prepare('UPDATE events SET at = ? WHERE id = ?').run(original, target);
    fix.close();
    const repaired = open(where);
    expect(repaired.eventLog().firstAltered?.id).toBe(target);
    expect(await repaired.checkEventLogInSteps(() => Promise.resolve(), 3)).toMatchObject({ intact: true, firstAltered: null });
    repaired.close();
    expect(open(where).eventLog().intact).toBe(true);
  });

  it('does not trust a checkpoint it did not seal: a forged one starts the check from the first entry', () => {
    const { where, ids } = withLog('log-forged-checkpoint');
    open(where).close();
    const db = new Database(where.file);
    const forged = JSON.parse(db.prepare("SELECT value FROM settings WHERE key = 'privacy.eventLogCheckpoint'").pluck().get() as string) as Record<string, unknown>;
    expect(forged['id']).toBe(ids.at(-1));
    db.prepare('UPDATE events SET at = at + 1 WHERE id = ?').run(ids[1]);
    // Whoever edits the file cannot re-seal the checkpoint without the key; a changed one is ignored.
    db.prepare("UPDATE settings SET value = ? WHERE key = 'privacy.eventLogCheckpoint'").run(JSON.stringify({ ...forged, entries: 99 }));
    db.close();
    expect(open(where).eventLog().firstAltered).toMatchObject({ id: ids[1], how: 'changed' });
  });

  it('catches a sealed body moved onto another row and a forged row', () => {
    const { where, ids } = withLog('log-swap');
    const db = new Database(where.file);
    const body = db.prepare('SELECT sealed_body FROM events WHERE id = ?').pluck().get(ids[1]) as Buffer;
    db.prepare('UPDATE events SET sealed_body = ? WHERE id = ?').run(body, ids[4]);
    db.prepare('INSERT INTO events (id, at, kind, sealed_body, mac) VALUES (?, 5000, ?, ?, ?)').run(ids.at(-1)! + 1, 'checkin', body, Buffer.alloc(32));
    db.close();
    expect(open(where).eventLog().firstAltered).toMatchObject({ id: ids[4], how: 'changed' });
  });
});
