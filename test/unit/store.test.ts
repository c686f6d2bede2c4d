// The store on real SQLite files: migrations, the API, validation, sealing and keys.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, LATEST_VERSION, openStore, StoreError } from '../../electron/services/store/index';
import type { Keyring, NewTemplate, Store, StoreErrorCode } from '../../electron/services/store/index';
import { appendEvent } from '../../electron/services/store/events';
import { migrate, migrations } from '../../electron/services/store/migrations/index';
import { place, seal } from '../../electron/services/store/seal';
import { MODEL_ID, seededRandom, templates, tempDir, unitVector } from '../support/store-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fresh(label: string): { dir: string; keyring: Keyring } {
  const t = tempDir(label);
  cleanups.push(t.remove);
  return { dir: t.dir, keyring: fileKeyring(join(t.dir, 'key')) };
}

function open(where: { dir: string; keyring: Keyring }, now?: () => number): Store {
  const store = openStore({ ...where, ...(now ? { now } : {}) });
  cleanups.push(() => store.close());
  return store;
}

function codeOf(work: () => unknown): StoreErrorCode | 'no error' | 'not a StoreError' {
  try {
    work();
    return 'no error';
  } catch (error) {
    return error instanceof StoreError ? error.code : 'not a StoreError';
  }
}

function schemaOf(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    const objects = db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { type: string; name: string }[];
    const columns = objects.filter((o) => o.type === 'table').map((o) => ({ table: o.name, columns: db.pragma(`table_xinfo(${o.name})`), fks: db.pragma(`foreign_key_list(${o.name})`) }));
    return { objects, columns, version: db.pragma('user_version', { simple: true }) };
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('are numbered in increasing order, the last one being the latest', () => {
    // Branches number their steps apart (a gap until the merge renumbers them), never out of order.
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions.at(-1)).toBe(LATEST_VERSION);
  });

  it('bring an empty file to the latest version', () => {
    const where = fresh('mig-empty');
    const store = open(where);
    store.close();
    const db = new Database(store.file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]);
    expect(tables).toEqual(['agents', 'cohort', 'event_log_head', 'events', 'fleet_applying', 'fleet_membership', 'fleet_outbox', 'fleet_pending',
      'fleet_set_aside', 'fleet_versions', 'held_lockouts', 'identities', 'key_check', 'lockouts', 'operators', 'quarantine', 'settings', 'sqlite_sequence', 'templates', 'training_runs']);
    db.close();
  });

  it('0001 -> 0002 keeps every row and backfills last seen from the history', () => {
    const where = fresh('mig-1-2');
    const key = where.keyring.getKey();
    const file = join(where.dir, 'normface.db');
    const random = seededRandom(12);
    const vectors = [unitVector(random), unitVector(random)];
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    expect(migrate(db, 1)).toEqual([1]);
    db.prepare('INSERT INTO key_check (id, sealed) VALUES (1, ?)').run(seal(key, place.keyCheck, Buffer.from('normface key check v1')));
    db.prepare(`INSERT INTO identities (id, display_name, notes, created_at, updated_at) VALUES ('a', 'Ada', 'n', 1, 2), ('b', 'Bo', '', 3, 4)`).run();
    vectors.forEach((v, i) => {
      const id = `t${i}`;
      db.prepare(`INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at) VALUES (?, 'a', ?, 512, ?, '{}', 'camera', NULL, 5)`)
        .run(id, MODEL_ID, seal(key, place.templateVector(id), Buffer.from(v.buffer)));
    });
    const insertEvent = db.prepare('INSERT INTO events (at, kind, identity_id, display_name, score, decision) VALUES (?, ?, ?, ?, ?, ?)');
    insertEvent.run(100, 'verify', 'a', 'Ada', 0.8, 'accept');
    insertEvent.run(300, 'checkin', 'a', 'Ada', 0.7, 'accept');
    insertEvent.run(400, 'verify', 'a', 'Ada', 0.1, 'reject');
    insertEvent.run(500, 'verify', 'b', 'Bo', 0.2, 'reject');
    db.close();
    const before = schemaOf(file) as { version: number };
    expect(before.version).toBe(1);

    const store = open(where);
    const people = store.listIdentities();
    expect(people.map((p) => [p.id, p.name, p.notes, p.createdAt, p.updatedAt, p.templateCount, p.lastSeenAt])).toEqual([
      ['a', 'Ada', 'n', 1, 2, 2, 300],
      ['b', 'Bo', '', 3, 4, 0, null],
    ]);
    const loaded = [...store.allTemplates()];
    expect(loaded.map((t) => Buffer.from(t.vector.buffer).equals(Buffer.from(vectors[Number(t.id.slice(1))]!.buffer)))).toEqual([true, true]);
    expect(store.listEvents().length).toBe(4);
    expect(store.listEvents({ identityId: 'a', from: 200, to: 450 }).map((e) => e.at)).toEqual([400, 300]);
  });

  it('0007 -> 0008 gives the drift check its own kind, keeping every entry, its MAC, the indexes and the fleet trigger', () => {
    const where = fresh('mig-7-8');
    const key = where.keyring.getKey();
    const file = join(where.dir, 'normface.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    expect(migrate(db, 7, key)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    db.prepare('INSERT INTO key_check (id, sealed) VALUES (1, ?)').run(seal(key, place.keyCheck, Buffer.from('normface key check v1')));
    const ctx = { db, key, file, now: () => 0 };
    appendEvent(ctx, { at: 100, kind: 'verify', identityId: 'a', name: 'Ada', score: 0.8, decision: 'accept', details: null });
    appendEvent(ctx, { at: 200, kind: 'identify', identityId: null, name: null, score: null, decision: null, details: { action: 'calibration-check', warn: true } });
    appendEvent(ctx, { at: 300, kind: 'operator', identityId: null, name: null, score: null, decision: null, details: { action: 'sign-in' } });
    expect(() => db.prepare("INSERT INTO events (at, kind) VALUES (400, 'drift-check')").run()).toThrow(/CHECK/);
    const rows = (d: Database.Database) => d.prepare('SELECT * FROM events ORDER BY id').all();
    const dependents = (d: Database.Database) => d.prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'events' AND type IN ('index', 'trigger') ORDER BY name").all();
    const before = { rows: rows(db), dependents: dependents(db) };
    expect(before.dependents.map((o) => (o as { name: string }).name)).toEqual(['events_by_identity', 'events_by_time', 'fleet_event_logged']);
    db.close();

    const store = open(where);
    const after = new Database(file, { readonly: true });
    cleanups.push(() => after.close());
    expect(after.pragma('user_version', { simple: true })).toBe(8);
    expect({ rows: rows(after), dependents: dependents(after) }).toEqual(before);
    // The entries logged before keep their kind ('identify'): the kind is inside each entry's MAC.
    expect(store.eventLog()).toMatchObject({ intact: true, entries: 3 });
    expect(store.checkEventLog()).toMatchObject({ intact: true, entries: 3, firstAltered: null });
    expect(store.listEvents().map((e) => e.kind)).toEqual(['operator', 'identify', 'verify']);
    store.fleet.join({ fleetId: 'fleet', deskId: 'desk', config: {} });
    const notes = store.fleet.waiting().notes;
    store.logEvent({ kind: 'drift-check', details: { warn: false }, at: 500 });
    expect(store.fleet.waiting().notes).toBe(notes + 1);
    expect(store.listEvents({ kinds: ['drift-check'] }).map((e) => e.details)).toEqual([{ warn: false }]);
    expect(store.checkEventLog()).toMatchObject({ intact: true, entries: 4 });
  });

  it('give the same schema from an empty file as from the previous version', () => {
    const direct = fresh('mig-direct');
    open(direct).close();
    const stepwise = fresh('mig-stepwise');
    const file = join(stepwise.dir, 'normface.db');
    const key = stepwise.keyring.getKey();
    for (let version = 1; version <= LATEST_VERSION; version++) {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      migrate(db, version, key);
      db.close();
    }
    open(stepwise).close();
    expect(schemaOf(file)).toEqual(schemaOf(join(direct.dir, 'normface.db')));
  });

  it('refuse a database from a newer version of the app', () => {
    const where = fresh('mig-newer');
    open(where).close();
    const db = new Database(join(where.dir, 'normface.db'));
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(codeOf(() => openStore(where))).toBe('newer_version');
  });
});

describe('identities and templates', () => {
  it('enrol, list, read, rename, annotate, add and remove templates', () => {
    let clock = 1_000;
    const store = open(fresh('api'), () => clock++);
    const random = seededRandom(1);
    const batch = templates(random, 3);
    const ada = store.createIdentity({ name: '  Ada Lovelace ', notes: 'maths', templates: batch });
    expect(ada.name).toBe('Ada Lovelace');
    expect(ada.templates.map((t) => [t.modelId, t.dim, t.source, t.hasThumbnail])).toEqual([
      [MODEL_ID, 512, 'camera', true], [MODEL_ID, 512, 'photo', true], [MODEL_ID, 512, 'camera', true],
    ]);
    expect(ada.templates[0]!.quality).toEqual(batch[0]!.quality);
    expect(Buffer.from(store.templateThumbnail(ada.templates[1]!.id)!).equals(Buffer.from(batch[1]!.thumbnail!))).toBe(true);

    const bo = store.createIdentity({ name: 'Bo', templates: templates(random, 1, false) });
    const list = store.listIdentities();
    expect(list.map((p) => [p.name, p.templateCount, p.thumbnail === null])).toEqual([['Ada Lovelace', 3, false], ['Bo', 1, true]]);
    expect(Buffer.from(list[0]!.thumbnail!).equals(Buffer.from(batch[0]!.thumbnail!))).toBe(true);

    expect(store.renameIdentity(ada.id, 'Ada King').name).toBe('Ada King');
    expect(store.updateNotes(ada.id, 'countess').notes).toBe('countess');
    const added = store.addTemplates(bo.id, templates(random, 2));
    expect(added).toHaveLength(2);
    store.removeTemplate(added[0]!.id);
    expect(store.getIdentity(bo.id).templates.map((t) => t.id)).toEqual([store.getIdentity(bo.id).templates[0]!.id, added[1]!.id]);
    expect(codeOf(() => store.removeTemplate(added[0]!.id))).toBe('not_found');

    const all = [...store.allTemplates()];
    expect(all).toHaveLength(5);
    expect(Buffer.from(all[0]!.vector.buffer).equals(Buffer.from(batch[0]!.vector.buffer))).toBe(true);
    expect(store.listEvents({ kinds: ['enroll'] }).map((e) => e.name)).toEqual(['Bo', 'Bo', 'Ada Lovelace']);
  });

  it('refuse to remove the last template, and unknown ids', () => {
    const store = open(fresh('api-last'));
    const one = store.createIdentity({ name: 'One', templates: templates(seededRandom(2), 1, false) });
    expect(codeOf(() => store.removeTemplate(one.templates[0]!.id))).toBe('invalid');
    expect(codeOf(() => store.getIdentity('nobody'))).toBe('not_found');
    expect(codeOf(() => store.renameIdentity('nobody', 'x'))).toBe('not_found');
    expect(codeOf(() => store.addTemplates('nobody', templates(seededRandom(3), 1, false)))).toBe('not_found');
    expect(codeOf(() => store.deleteIdentity('nobody'))).toBe('not_found');
  });

  it('delete an identity with its templates, agents and lockout, and keep its history under its name', () => {
    const store = open(fresh('api-delete'));
    const random = seededRandom(4);
    const ada = store.createIdentity({ name: 'Ada', templates: templates(random, 2) });
    const bo = store.createIdentity({ name: 'Bo', templates: templates(random, 2) });
    const run = store.createRun({ epochs: 1 });
    store.finishRun(run.id, { status: 'accepted', metrics: {}, agents: [{ identityId: ada.id, vector: unitVector(random) }, { identityId: bo.id, vector: unitVector(random) }] });
    store.setLockout({ identityId: ada.id, failures: 3, lockedUntil: 99 });
    store.logEvent({ kind: 'verify', identityId: ada.id, score: 0.9, decision: 'accept' });
    store.deleteIdentity(ada.id);
    expect(store.listIdentities().map((p) => p.name)).toEqual(['Bo']);
    expect([...store.allTemplates()].every((t) => t.identityId === bo.id)).toBe(true);
    expect(store.activeAgents()!.agents.map((a) => a.identityId)).toEqual([bo.id]);
    expect(store.getLockout(ada.id)).toEqual({ identityId: ada.id, failures: 0, lockedUntil: null });
    const history = store.listEvents({ identityId: ada.id });
    expect(history.map((e) => [e.kind, e.name])).toEqual([['delete', 'Ada'], ['verify', 'Ada'], ['enroll', 'Ada']]);
  });

  it('reject invalid vectors and write nothing of a batch that holds one', () => {
    const store = open(fresh('api-invalid'));
    const random = seededRandom(5);
    const good = (): NewTemplate => templates(random, 1, false)[0]!;
    const withVector = (vector: Float32Array): NewTemplate => ({ ...good(), vector });
    const nan = unitVector(random);
    nan[7] = Number.NaN;
    const inf = unitVector(random);
    inf[0] = Number.POSITIVE_INFINITY;
    const long = unitVector(random).map((v) => v * 1.01);
    const short = unitVector(random, 256);
    const zero = new Float32Array(512);
    for (const bad of [nan, inf, long, zero, new Float32Array(0)]) {
      expect(codeOf(() => store.createIdentity({ name: 'X', templates: [good(), withVector(bad)] }))).toBe('invalid');
    }
    expect(codeOf(() => store.createIdentity({ name: 'X', templates: [{ ...good(), vector: Array.from(good().vector) as unknown as Float32Array }] }))).toBe('invalid');
    expect(codeOf(() => store.createIdentity({ name: '', templates: [good()] }))).toBe('invalid');
    expect(codeOf(() => store.createIdentity({ name: 'x'.repeat(201), templates: [good()] }))).toBe('invalid');
    expect(codeOf(() => store.createIdentity({ name: 'X', templates: [] }))).toBe('invalid');
    expect(codeOf(() => store.createIdentity({ name: 'X', templates: [{ ...good(), source: 'video' as 'camera' }] }))).toBe('invalid');
    expect(store.listIdentities()).toEqual([]);
    // The model's templates are 512-d once one exists; a 256-d vector of the same model is refused.
    const ada = store.createIdentity({ name: 'Ada', templates: [good()] });
    expect(codeOf(() => store.addTemplates(ada.id, [good(), withVector(short)]))).toBe('invalid');
    expect(store.getIdentity(ada.id).templates).toHaveLength(1);
    expect(store.listEvents({ kinds: ['enroll'] })).toHaveLength(1);
  });

  it('set aside a sealed vector moved onto another row at open, and report it', () => {
    const where = fresh('api-swap');
    const store = open(where);
    const random = seededRandom(6);
    store.createIdentity({ name: 'Ada', templates: templates(random, 2, false) });
    store.close();
    const db = new Database(join(where.dir, 'normface.db'));
    const rows = db.prepare('SELECT id, vector FROM templates ORDER BY rowid').all() as { id: string; vector: Buffer }[];
    db.prepare('UPDATE templates SET vector = ? WHERE id = ?').run(rows[0]!.vector, rows[1]!.id);
    db.close();
    const reopened = open(where);
    expect([...reopened.allTemplates()].map((t) => t.id)).toEqual([rows[0]!.id]);
    // (The automatic backup at this open refuses the damaged copy and says so too.)
    expect(reopened.problems()).toContainEqual({ kind: 'quarantined-templates', message: expect.stringMatching(/^1 template could not be used and was set aside/) });
    const kept = new Database(join(where.dir, 'normface.db'), { readonly: true });
    expect(kept.prepare('SELECT row_id, reason FROM quarantine').all()).toEqual([{ row_id: rows[1]!.id, reason: 'the vector does not open under this key' }]);
    kept.close();
    reopened.close();
  });
});

describe('keys', () => {
  it('fileKeyring makes a 0600 key once and gives the same key afterwards', () => {
    const where = fresh('key');
    const path = join(where.dir, 'key');
    const first = where.keyring.getKey();
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(fileKeyring(path).getKey().equals(first)).toBe(true);
    writeFileSync(path, Buffer.alloc(31));
    expect(codeOf(() => fileKeyring(path).getKey())).toBe('wrong_key');
  });

  it('a wrong key gives "wrong_key", a malformed one too', () => {
    const where = fresh('key-wrong');
    open(where).createIdentity({ name: 'Ada', templates: templates(seededRandom(7), 1, false) });
    cleanups.pop()!();
    expect(codeOf(() => openStore({ dir: where.dir, keyring: { getKey: () => Buffer.alloc(32, 7) } }))).toBe('wrong_key');
    expect(codeOf(() => openStore({ dir: where.dir, keyring: { getKey: () => Buffer.alloc(16) } }))).toBe('wrong_key');
    expect(open(where).listIdentities()).toHaveLength(1);
  });
});

describe('events, settings, lockouts', () => {
  it('filter the history by kind, time, identity and limit; last seen follows accepted attempts', () => {
    const store = open(fresh('events'));
    const ada = store.createIdentity({ name: 'Ada', templates: templates(seededRandom(8), 1, false) });
    store.logEvent({ kind: 'verify', identityId: ada.id, score: 0.9, decision: 'accept', at: 1_000 });
    store.logEvent({ kind: 'verify', identityId: ada.id, score: 0.1, decision: 'reject', at: 2_000 });
    store.logEvent({ kind: 'checkin', identityId: ada.id, score: 0.8, decision: 'accept', at: 3_000, details: { door: 'front' } });
    store.logEvent({ kind: 'identify', score: 0.2, decision: 'reject', at: 4_000 });
    expect(store.getIdentity(ada.id).lastSeenAt).toBe(3_000);
    expect(store.listEvents({ kinds: ['verify', 'checkin'], from: 1_500, to: 3_001 }).map((e) => [e.at, e.decision, e.name])).toEqual([
      [3_000, 'accept', 'Ada'], [2_000, 'reject', 'Ada'],
    ]);
    expect(store.listEvents({ kinds: ['checkin'] })[0]!.details).toEqual({ door: 'front' });
    expect(store.listEvents({ limit: 2, to: 10_000 }).map((e) => e.at)).toEqual([4_000, 3_000]);
    expect(codeOf(() => store.logEvent({ kind: 'verify', score: Number.NaN }))).toBe('invalid');
    expect(codeOf(() => store.logEvent({ kind: 'party' as 'verify' }))).toBe('invalid');
    expect(codeOf(() => store.listEvents({ limit: 0 }))).toBe('invalid');
  });

  it('keep settings as JSON and lockout state per identity', () => {
    const store = open(fresh('settings'));
    expect(store.getSetting('securityLevel')).toBeUndefined();
    store.setSetting('securityLevel', '1e-4');
    store.setSetting('lockout', { attempts: 5, minutes: 15 });
    store.setSetting('securityLevel', '1e-5');
    expect(store.getSetting('securityLevel')).toBe('1e-5');
    expect(store.getSetting('lockout')).toEqual({ attempts: 5, minutes: 15 });
    const ada = store.createIdentity({ name: 'Ada', templates: templates(seededRandom(9), 1, false) });
    store.setLockout({ identityId: ada.id, failures: 5, lockedUntil: 123 });
    expect(store.getLockout(ada.id)).toEqual({ identityId: ada.id, failures: 5, lockedUntil: 123 });
    store.setLockout({ identityId: ada.id, failures: 0, lockedUntil: null });
    expect(store.getLockout(ada.id).failures).toBe(0);
    expect(codeOf(() => store.setLockout({ identityId: 'nobody', failures: 1, lockedUntil: null }))).toBe('not_found');
  });
});

describe('training runs', () => {
  it('finish with agents, accept, roll back to the previous accepted run, and drop agents of deleted people', () => {
    const store = open(fresh('training'));
    const random = seededRandom(10);
    const ada = store.createIdentity({ name: 'Ada', templates: templates(random, 1, false) });
    const bo = store.createIdentity({ name: 'Bo', templates: templates(random, 1, false) });
    expect(store.activeAgents()).toBeNull();

    const agentsOne = [{ identityId: ada.id, vector: unitVector(random) }, { identityId: bo.id, vector: unitVector(random) }];
    const one = store.createRun({ epochs: 3 });
    expect(one.status).toBe('running');
    const finished = store.finishRun(one.id, { status: 'accepted', metrics: { accuracy: 0.99 }, agents: agentsOne });
    expect(finished.run).toMatchObject({ version: 1, status: 'accepted', metrics: { accuracy: 0.99 }, agentCount: 2 });
    expect(codeOf(() => store.finishRun(one.id, { status: 'accepted', metrics: {}, agents: [] }))).toBe('invalid');

    const two = store.createRun({ epochs: 5 });
    const agentsTwo = [{ identityId: ada.id, vector: unitVector(random) }];
    store.finishRun(two.id, { status: 'rejected', metrics: {}, agents: agentsTwo });
    expect(store.activeAgents()!.run.id).toBe(one.id);
    store.acceptRun(two.id);
    const active = store.activeAgents()!;
    expect(active.run.id).toBe(two.id);
    expect(Buffer.from(active.agents[0]!.vector.buffer).equals(Buffer.from(agentsTwo[0]!.vector.buffer))).toBe(true);

    expect(store.rollback()!.id).toBe(one.id);
    expect(store.activeAgents()!.agents.map((a) => a.identityId)).toEqual([ada.id, bo.id]);
    expect(store.rollback()).toBeNull();
    expect(store.activeAgents()).toBeNull();
    expect(codeOf(() => store.rollback())).toBe('invalid');

    const three = store.createRun({});
    store.deleteIdentity(bo.id);
    const dropped = store.finishRun(three.id, { status: 'accepted', metrics: {}, agents: [{ identityId: ada.id, vector: unitVector(random) }, { identityId: bo.id, vector: unitVector(random) }] });
    expect(dropped.droppedIdentityIds).toEqual([bo.id]);
    expect(store.listRuns().map((r) => [r.version, r.status])).toEqual([[3, 'accepted'], [2, 'rolled_back'], [1, 'rolled_back']]);
    const bad = unitVector(random);
    bad[0] = Number.NaN;
    const four = store.createRun({});
    expect(codeOf(() => store.finishRun(four.id, { status: 'accepted', metrics: {}, agents: [{ identityId: ada.id, vector: bad }] }))).toBe('invalid');
    expect(store.listRuns()[0]!.status).toBe('running');
  });

  it('erase everything with deleteAllData, backups included', async () => {
    const where = fresh('erase');
    const store = open(where);
    store.createIdentity({ name: 'Ada', templates: templates(seededRandom(11), 2) });
    store.setSetting('x', 1);
    store.close();
    const again = open(where);
    expect(again.lastBackup()).not.toBeNull();
    again.deleteAllData();
    expect(again.listIdentities()).toEqual([]);
    expect([...again.allTemplates()]).toEqual([]);
    expect(again.getSetting('x')).toBeUndefined();
    expect(again.lastBackup()).toBeNull();
    expect(again.listEvents().map((e) => e.kind)).toEqual(['delete']);
  });
});
