// The store's files as bytes: a raw dump shows no template or image, damage is reported (with the
// backup to restore), backups round-trip bit for bit, and a full disk loses nothing.
import { closeSync, copyFileSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, openStore, restoreDatabase, StoreError } from '../../electron/services/store/index';
import type { Keyring, NewTemplate, Store, StoreErrorCode } from '../../electron/services/store/index';
import { contains, databaseBytes, floatBytes, seededRandom, templates, tempDir } from '../support/store-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fresh(label: string): { dir: string; keyring: Keyring; file: string } {
  const t = tempDir(label);
  cleanups.push(t.remove);
  return { dir: t.dir, keyring: fileKeyring(join(t.dir, 'key')), file: join(t.dir, 'normface.db') };
}

function open(where: { dir: string; keyring: Keyring }, maxBytes?: number): Store {
  const store = openStore({ dir: where.dir, keyring: where.keyring, ...(maxBytes === undefined ? {} : { maxBytes }) });
  cleanups.push(() => store.close());
  return store;
}

function failure(work: () => unknown): StoreError | null {
  try {
    work();
    return null;
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
}

const codeOf = (work: () => unknown): StoreErrorCode | null => failure(work)?.code ?? null;

async function asyncCodeOf(work: () => Promise<unknown>): Promise<StoreErrorCode | null> {
  try {
    await work();
    return null;
  } catch (error) {
    if (error instanceof StoreError) return error.code;
    throw error;
  }
}

/** Everything a person could get back: identities, their templates' bytes and thumbnails, in order. */
function snapshot(store: Store): unknown {
  const people = store.listIdentities().map((p) => ({ ...p, thumbnail: p.thumbnail && Buffer.from(p.thumbnail).toString('hex') }));
  const vectors = [...store.allTemplates()].map((t) => ({ ...t, vector: Buffer.from(t.vector.buffer).toString('hex') }));
  const details = people.map((p) => store.getIdentity(p.id).templates.map((t) => ({ ...t, thumbnail: Buffer.from(store.templateThumbnail(t.id) ?? []).toString('hex') })));
  return { people, vectors, details };
}

/** Enrols, closes and reopens once, so the automatic backup holds the enrolled people. */
function enrolledWithBackup(label: string): { where: ReturnType<typeof fresh>; before: unknown } {
  const where = fresh(label);
  const random = seededRandom(21);
  const first = open(where);
  for (const name of ['Ada', 'Bo', 'Cy']) first.createIdentity({ name, templates: templates(random, 8) });
  first.close();
  const second = open(where);
  expect(second.lastBackup()).toBe(join(where.dir, 'backups', 'auto-backup.db'));
  const before = snapshot(second);
  second.close();
  return { where, before };
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('raw dump', () => {
  it('shows no template floats and no image bytes, and no trace of a deleted template', () => {
    const where = fresh('dump');
    const store = open(where);
    const random = seededRandom(31);
    const enrolled: NewTemplate[][] = [];
    for (const name of ['Ada', 'Bo', 'Cy']) {
      const batch = templates(random, 6);
      enrolled.push(batch);
      store.createIdentity({ name, templates: batch });
    }
    const files = databaseBytes(where.file);
    expect(files.reduce((n, f) => n + f.length, 0)).toBeGreaterThan(50_000);

    // Positive control: the same search finds the floats in a plain, unsealed copy of them.
    const plain = Buffer.concat([Buffer.alloc(1000), Buffer.from(enrolled[0]![0]!.vector.buffer), Buffer.alloc(1000)]);
    expect(contains([plain], floatBytes(enrolled[0]![0]!.vector, 3))).toBe(true);

    const windows = enrolled.flat().flatMap((t) => Array.from({ length: 8 }, (_, i) => floatBytes(t.vector, i)));
    const pairs = enrolled.flat().flatMap((t) => Array.from({ length: 8 }, (_, i) => floatBytes(t.vector, i, 2)));
    // A random 4-byte window turns up by chance with p = bytes / 2^32 (~4e-5 here), so one such hit is
    // tolerated; a leaked vector would match every window and every pair.
    expect(windows.filter((w) => contains(files, w)).length).toBeLessThanOrEqual(1);
    expect(pairs.filter((p) => contains(files, p))).toHaveLength(0);

    for (const t of enrolled.flat()) {
      const image = Buffer.from(t.thumbnail!);
      expect(contains(files, image.subarray(0, 12))).toBe(false);
      expect(contains(files, image.subarray(image.length >> 1, (image.length >> 1) + 16))).toBe(false);
    }
    expect(contains(files, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(false);
    expect(contains(files, Buffer.from('JFIF'))).toBe(false);

    // The sealed bytes of Bo's templates, read through a second connection, are in the files now...
    const reader = new Database(where.file, { readonly: true });
    const bo = store.listIdentities().find((p) => p.name === 'Bo')!;
    const sealed = reader.prepare('SELECT vector, thumbnail FROM templates WHERE identity_id = ?').all(bo.id) as { vector: Buffer; thumbnail: Buffer }[];
    reader.close();
    const traces = sealed.flatMap((row) => [row.vector.subarray(40, 72), row.thumbnail.subarray(40, 72)]);
    expect(traces.every((trace) => contains(databaseBytes(where.file), trace))).toBe(true);
    // ...and gone from both the database and its WAL once Bo is deleted.
    store.deleteIdentity(bo.id);
    const after = databaseBytes(where.file);
    expect(traces.filter((trace) => contains(after, trace))).toHaveLength(0);
    expect(store.listIdentities().map((p) => p.name)).toEqual(['Ada', 'Cy']);
  });
});

describe('damaged database', () => {
  it('a damaged header gives "corrupt" with the last backup, and restoring it brings everything back', () => {
    const { where, before } = enrolledWithBackup('corrupt-header');
    overwrite(where.file, 0, Buffer.alloc(100, 0x42));
    const error = failure(() => openStore(where));
    expect(error?.code).toBe('corrupt');
    expect(error?.lastBackup).toBe(join(where.dir, 'backups', 'auto-backup.db'));
    expect(error?.message).toMatch(/damaged|not a database/i);
    const info = restoreDatabase(where, error!.lastBackup!);
    expect(info).toMatchObject({ identities: 3, templates: 24 });
    expect(snapshot(open(where))).toEqual(before);
  });

  it('damaged pages in the middle of the file give "corrupt" at open or at the full check, never a crash', () => {
    const { where, before } = enrolledWithBackup('corrupt-middle');
    const pristine = join(where.dir, 'pristine.db');
    copyFileSync(where.file, pristine);
    const pages = statSync(where.file).size / 4096;
    expect(pages).toBeGreaterThan(8);
    for (const page of [Math.floor(pages / 2), Math.floor(pages / 3), pages - 2]) {
      copyFileSync(pristine, where.file);
      overwrite(where.file, page * 4096, Buffer.alloc(4096, 0xa5));
      // Opening checks every page but the event log's (a login must not wait for a year of it); the
      // full check the app runs in the background reads those too.
      const error = failure(() => {
        const store = openStore(where);
        try {
          store.checkEventLog();
        } finally {
          store.close();
        }
      });
      expect(error?.code, `page ${page} of ${pages}`).toBe('corrupt');
      expect(error?.lastBackup).toBe(join(where.dir, 'backups', 'auto-backup.db'));
    }
    restoreDatabase(where, join(where.dir, 'backups', 'auto-backup.db'));
    expect(snapshot(open(where))).toEqual(before);
  });

  it('a few flipped bytes inside a sealed template set it aside at open; the last backup brings it back', async () => {
    const { where, before } = enrolledWithBackup('corrupt-blob');
    const reader = new Database(where.file, { readonly: true });
    const sealed = reader.prepare('SELECT vector FROM templates ORDER BY rowid LIMIT 1 OFFSET 10').pluck().get() as Buffer;
    reader.close();
    // The page structure stays valid, so only the seal can tell.
    const at = readFileSync(where.file).indexOf(sealed.subarray(100, 140));
    expect(at).toBeGreaterThan(0);
    overwrite(where.file, at, Buffer.alloc(16, 0x00));
    const store = open(where);
    // The file changed since the last backup, but a copy that does not fully open must not replace it.
    expect(store.autoBackupProblem?.code).toBe('corrupt');
    // The app keeps working without it (issue 19), and says so.
    expect(failure(() => [...store.allTemplates()])).toBeNull();
    expect(store.problems()).toContainEqual({ kind: 'quarantined-templates', message: expect.stringMatching(/^1 template could not be used and was set aside/) });
    await store.restoreFrom(store.lastBackup()!);
    expect(snapshot(store)).toEqual(before);
    expect(store.problems().map((p) => p.kind)).not.toContain('quarantined-templates');
  });
});

describe('backup and restore', () => {
  it('round-trips every identity and template bit for bit', async () => {
    const where = fresh('backup');
    const store = open(where);
    const random = seededRandom(41);
    for (const name of ['Ada', 'Bo']) store.createIdentity({ name, templates: templates(random, 5) });
    store.logEvent({ kind: 'checkin', identityId: store.listIdentities()[0]!.id, decision: 'accept', score: 0.8 });
    const before = snapshot(store);
    const backupFile = join(where.dir, 'exported', 'normface-backup.db');
    const info = await store.backup(backupFile);
    expect(info).toMatchObject({ file: backupFile, identities: 2, templates: 10 });

    store.deleteIdentity(store.listIdentities()[0]!.id);
    store.createIdentity({ name: 'Dee', templates: templates(random, 2) });
    expect(snapshot(store)).not.toEqual(before);

    await store.restoreFrom(backupFile);
    expect(snapshot(store)).toEqual(before);
    expect(store.listEvents({ kinds: ['restore'] })).toHaveLength(1);
    store.close();
    expect(snapshot(open(where))).toEqual(before);
  });

  it('refuses a damaged backup or one sealed with another key, and keeps the live data', async () => {
    const where = fresh('restore-bad');
    const store = open(where);
    store.createIdentity({ name: 'Ada', templates: templates(seededRandom(51), 3) });
    const before = snapshot(store);

    const garbage = join(where.dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 0x33));
    expect(await asyncCodeOf(() => store.restoreFrom(garbage))).toBe('corrupt');
    expect(await asyncCodeOf(() => store.restoreFrom(join(where.dir, 'missing.db')))).toBe('not_found');

    const other = fresh('restore-other');
    const foreign = open(other);
    foreign.createIdentity({ name: 'Eve', templates: templates(seededRandom(52), 1) });
    const foreignBackup = join(other.dir, 'eve.db');
    await foreign.backup(foreignBackup);
    expect(await asyncCodeOf(() => store.restoreFrom(foreignBackup))).toBe('wrong_key');
    expect(snapshot(store)).toEqual(before);
  });
});

describe('full disk', () => {
  it('gives "disk_full" and keeps everything written before', () => {
    const where = fresh('full');
    const store = open(where, 256 * 1024); // the operators', quarantine's and fleet's tables take a few pages of the quota
    const random = seededRandom(61);
    const written: string[] = [];
    let error: StoreError | null = null;
    for (let i = 0; i < 100 && error === null; i++) {
      const batch = templates(random, 5, false);
      error = failure(() => written.push(store.createIdentity({ name: `P${i}`, templates: batch }).id));
    }
    expect(error?.code).toBe('disk_full');
    expect(error?.message).toMatch(/disk is full/);
    expect(written.length).toBeGreaterThan(3);
    const before = snapshot(store);
    expect(store.listIdentities().map((p) => p.id).sort()).toEqual([...written].sort());
    expect([...store.allTemplates()]).toHaveLength(written.length * 5);
    expect(codeOf(() => store.addTemplates(written[0]!, templates(random, 20, false)))).toBe('disk_full');
    expect(snapshot(store)).toEqual(before);
    store.close();
    const db = new Database(where.file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(open(where).listIdentities()).toHaveLength(written.length);
  });
});
