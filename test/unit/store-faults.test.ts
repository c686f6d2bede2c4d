// Faults the app must stay truthful under: a deletion while another program reads the database, a key
// file removed (before start, or under the running app), and every store problem reaching app.info.
import { existsSync, mkdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { buildCli, runCli } from '../support/cli';
import { loginEvidence } from '../support/loginEvidence';
import { seededRandom, templates } from '../support/store-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

async function app(label: string) {
  const dir = tempDataDir(label);
  const opened = await openApp(join(dir, 'data'), writeCalibration(dir));
  cleanups.push(() => {
    opened.service.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...opened, dir, data: join(dir, 'data') };
}

const quality = { score: 0.9 };

describe('a deletion while another program reads the database', () => {
  it('takes effect in the matcher at once, answers without waiting for the reader, and empties the journal once it lets go', async () => {
    const { api, data } = await app('delete-reader');
    const [a1, a2, a3] = personTemplates(11, 3) as [Float32Array, Float32Array, Float32Array];
    const ada = await api.identities.create({ name: 'Ada', templates: [{ vector: a1, quality, source: 'photo' }, { vector: a2, quality, source: 'photo' }] });
    expect((await api.identify({ probe: a3 })).recognised?.name).toBe('Ada');

    // Another program mid-read: its open statement holds a snapshot, so the journal cannot be emptied.
    const reader = new Database(join(data, 'normface.db'), { readonly: true });
    const rows = reader.prepare('SELECT id FROM templates').iterate();
    rows.next();
    const started = performance.now();
    await expect(api.identities.delete({ id: ada.id })).resolves.toEqual({ deleted: ada.id });
    const took = performance.now() - started;
    console.log(`delete with a reader holding the database answered in ${took.toFixed(0)} ms (busy timeout 5,000 ms)`);
    const after = await api.identify({ probe: a3 });
    expect(after.recognised).toBeNull();
    expect(after.candidates.map((c) => c.identityId)).not.toContain(ada.id);
    expect((await api.app.info({})).storeProblems.map((p) => p.kind)).toContain('journal-not-emptied');

    rows.return?.();
    reader.close();
    // The retry runs every second on its own.
    for (let i = 0; i < 50 && (await api.app.info({})).storeProblems.length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await api.app.info({})).storeProblems).toEqual([]);
  });
});

describe('the key file', () => {
  it('missing beside existing data: no new key is written, and the sentence names the missing file and offers no restore', async () => {
    const first = await app('key-missing');
    await first.api.identities.create({ name: 'Ada', templates: [{ vector: personTemplates(12, 1)[0]!, quality, source: 'photo' }] });
    await first.api.backup.create({});
    first.service.close();
    const keyFile = join(first.data, 'normface.key');
    rmSync(keyFile);

    const again = await openApp(first.data, writeCalibration(first.dir));
    cleanups.push(() => again.service.close());
    const info = await again.api.app.info({});
    expect(info.store.state).toBe('unavailable');
    if (info.store.state !== 'unavailable') return;
    expect(info.store.message).toContain(`The key file ${keyFile} is missing`);
    expect(info.store.message).toMatch(/Put that key file back/);
    expect(info.store.latestBackup).toBeNull();
    // No operator can sign in to a database that cannot be opened; a login attempt, which anyone may make, is told why.
    await expect(again.publicApi.login({ name: 'Ada', evidence: loginEvidence(personTemplates(12, 1)) } as never)).rejects.toThrow(/is missing(?!.*restore one)/);
    expect(existsSync(keyFile), 'no new key written').toBe(false);
    // The command (as PAM runs it at a login) says the same, and writes no key either.
    buildCli();
    const listed = await runCli(['--data', first.data, 'list']);
    expect(listed.status).not.toBe(0);
    expect(listed.stderr).toContain(`The key file ${keyFile} is missing`);
    expect(existsSync(keyFile), 'no new key written by the command').toBe(false);
  });

  it('removed under the running app: said in app.info, not replaced', async () => {
    const { api, data } = await app('key-removed');
    await api.identities.create({ name: 'Ada', templates: [{ vector: personTemplates(13, 1)[0]!, quality, source: 'photo' }] });
    rmSync(join(data, 'normface.key'));
    const problems = (await api.app.info({})).storeProblems;
    expect(problems).toEqual([expect.objectContaining({ kind: 'key-file-missing' })]);
    expect(problems[0]!.message).toContain(join(data, 'normface.key'));
  });

  it('a database that cannot be opened as a file offers no restore (that is offered for damage only)', async () => {
    const first = await app('cannot-open');
    await first.api.backup.create({});
    first.service.close();
    rmSync(join(first.data, 'normface.db'));
    mkdirSync(join(first.data, 'normface.db'));
    const again = await openApp(first.data, writeCalibration(first.dir));
    cleanups.push(() => again.service.close());
    const info = await again.api.app.info({});
    expect(info.store).toMatchObject({ state: 'unavailable', latestBackup: null });
    await expect(again.api.identities.list({})).rejects.toThrow(/^(?!.*restore one from Settings)/);
  });

  it('is made for an empty folder', async () => {
    const { api } = await app('key-new');
    expect((await api.app.info({})).store).toEqual({ state: 'ok' });
  });
});

describe('the automatic backup', () => {
  it('a failure reaches app.info and `normface list` at every start until a backup succeeds', async () => {
    const first = await app('auto-backup-fails');
    await first.api.identities.create({ name: 'Ada', templates: [{ vector: personTemplates(14, 1)[0]!, quality, source: 'photo' }] });
    first.service.close();
    // Something in the way of the copy (here a folder where the file goes): every start's backup fails.
    mkdirSync(join(first.data, 'backups', 'auto-backup.db', 'in-the-way'), { recursive: true });
    for (let start = 0; start < 2; start++) {
      const again = await openApp(first.data, writeCalibration(first.dir));
      const problems = (await again.api.app.info({})).storeProblems;
      again.service.close();
      expect(problems.map((p) => p.kind)).toEqual(['auto-backup-failed']);
      expect(problems[0]!.message).toMatch(/^The automatic backup at start failed, so backups\/auto-backup.db is older than your data: /);
    }
    buildCli();
    const listed = await runCli(['--data', first.data, 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stderr).toMatch(/normface: The automatic backup at start failed/);

    rmSync(join(first.data, 'backups', 'auto-backup.db'), { recursive: true });
    const fixed = await openApp(first.data, writeCalibration(first.dir));
    cleanups.push(() => fixed.service.close());
    expect((await fixed.api.app.info({})).storeProblems).toEqual([]);
  });

  it('is due when the data changed, whatever the file times say (a backup dated a day ahead is refreshed)', async () => {
    const dir = tempDataDir('auto-backup-due');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const keyring = fileKeyring(join(dir, 'key'));
    const backup = join(dir, 'backups', 'auto-backup.db');
    const people = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM identities').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    let store = openStore({ dir, keyring });
    store.createIdentity({ name: 'Ada', templates: templates(seededRandom(3), 1, false) });
    store.close();
    store = openStore({ dir, keyring });
    store.close();
    expect(people(backup)).toBe(1);
    const dayAhead = new Date(Date.now() + 86_400_000);
    utimesSync(backup, dayAhead, dayAhead);
    store = openStore({ dir, keyring });
    store.createIdentity({ name: 'Bo', templates: templates(seededRandom(4), 1, false) });
    store.close();
    openStore({ dir, keyring }).close();
    expect(people(backup)).toBe(2);
    // Nothing changed since: not copied again.
    const before = statSync(backup).mtimeMs;
    openStore({ dir, keyring }).close();
    expect(statSync(backup).mtimeMs).toBe(before);
  });
});
