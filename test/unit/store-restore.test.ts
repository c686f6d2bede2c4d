// Restoring a backup under load: through SQLite, so another connection (the `normface` command) that
// writes afterwards writes into the restored database; a lock in force survives; the log says what the
// restore discarded; and a restore that a kill interrupted leaves no staged copy behind.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, openStore, type Store } from '../../electron/services/store/index';
import { openApp, writeCalibration } from '../support/apiFixtures';
import { buildCli, cliPath, runCli } from '../support/cli';
import { hasLfw, lfwImage, noLfwReason, repoRoot, skipReason, titled } from '../support/shared';
import { seededRandom, templates, tempDir } from '../support/store-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function open(dir: string): Store {
  const store = openStore({ dir, keyring: fileKeyring(join(dir, 'key')), autoBackup: false });
  cleanups.push(() => store.close());
  return store;
}

function folder(label: string): string {
  const t = tempDir(label);
  cleanups.push(t.remove);
  return t.dir;
}

describe('restore', () => {
  it('lands under a second connection: what it writes afterwards is in the restored database', async () => {
    const dir = folder('restore-two');
    const app = open(dir);
    const random = seededRandom(7);
    app.createIdentity({ name: 'Ada', templates: templates(random, 2, false) });
    const backupFile = join(dir, 'backups', 'before.db');
    await app.backup(backupFile);
    app.createIdentity({ name: 'Bo', templates: templates(random, 2, false) });

    // The command's connection, open before the restore and writing after it.
    const command = open(dir);
    expect(command.listIdentities().map((p) => p.name).sort()).toEqual(['Ada', 'Bo']);
    await app.restoreFrom(backupFile);
    command.createIdentity({ name: 'Late', templates: templates(random, 2, false) });

    expect(app.listIdentities().map((p) => p.name).sort()).toEqual(['Ada', 'Late']);
    app.close();
    expect(open(dir).listIdentities().map((p) => p.name).sort()).toEqual(['Ada', 'Late']);
  });

  it('keeps a lock in force and the failure counts, and its log entry names the entries it discarded', async () => {
    const dir = folder('restore-lock');
    const store = open(dir);
    const random = seededRandom(8);
    const ada = store.createIdentity({ name: 'Ada', templates: templates(random, 2, false) });
    const bo = store.createIdentity({ name: 'Bo', templates: templates(random, 2, false) });
    store.setLockout({ identityId: bo.id, failures: 1, lockedUntil: null });
    const backupFile = join(dir, 'backups', 'before.db');
    // The backup's own entry is logged after the copy was taken: it is among the discarded.
    const lastKept = store.listEvents({ limit: 1 })[0]!.id;
    await store.backup(backupFile);

    const lockedUntil = Date.now() + 15 * 60_000;
    for (let i = 0; i < 5; i++) store.logEvent({ kind: 'verify', identityId: ada.id, decision: 'reject', score: 0.1 });
    store.setLockout({ identityId: ada.id, failures: 5, lockedUntil });
    store.logEvent({ kind: 'lockout', identityId: ada.id, decision: 'locked' });
    const newest = store.listEvents({ limit: 1 })[0]!.id;

    await store.restoreFrom(backupFile);
    expect(store.getLockout(ada.id)).toEqual({ identityId: ada.id, failures: 5, lockedUntil });
    expect(store.getLockout(bo.id).failures).toBe(1);
    const [restore] = store.listEvents({ kinds: ['restore'] });
    expect(restore?.details?.['discarded']).toEqual({ count: newest - lastKept, fromId: lastKept + 1, toId: newest });
    const log = store.eventLog();
    expect(log.intact).toBe(true);
    expect(log.restored).toMatchObject({ discarded: newest - lastKept, fromId: lastKept + 1, toId: newest });
    expect(log.restored?.message).toMatch(new RegExp(`discarded ${newest - lastKept} entries of the log \\(${lastKept + 1} to ${newest}\\)`));
  });

  it('removes the staged copy a killed restore left, but not one a running restore is using', () => {
    const dir = folder('restore-stray');
    open(dir).close();
    // Unnamed (an older version's) and a pid above Linux's limit: left by a kill. The parent process runs.
    writeFileSync(join(dir, 'normface.db.restoring'), 'left by a kill');
    writeFileSync(join(dir, `normface.db.restoring-${2 ** 22 + 1}`), 'left by a kill');
    writeFileSync(join(dir, `normface.db.restoring-${process.ppid}`), 'in use');
    open(dir);
    expect(readdirSync(dir).filter((n) => n.includes('restoring'))).toEqual([`normface.db.restoring-${process.ppid}`]);
  });
});

const skip = skipReason(!hasLfw && noLfwReason);

describe.skipIf(skip)(titled('restore racing `normface enroll` (real models, LFW photos)', skip), () => {
  it('the enrolment lands in the restored database or fails with a sentence, never "enrolled" and gone', async () => {
    buildCli();
    const dir = folder('restore-race');
    const data = join(dir, 'data');
    const photos = join(dir, 'photos');
    mkdirSync(photos, { recursive: true });
    for (let i = 1; i <= 12; i++) copyFileSync(lfwImage('George_W_Bush', i), join(photos, `late-${i}.jpg`));
    const app = await openApp(data, writeCalibration(dir));
    cleanups.push(() => app.service.close());
    const backup = await app.api.backup.create({});

    const child = spawn(process.execPath, [cliPath, '--data', data, 'enroll', 'Late', '--photos', photos], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Restored while the command works through its photos: its connection is open, its write to come.
    await new Promise<void>((resolve) => {
      void exited.then(() => resolve());
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/\] ok /.test(stdout)) resolve();
      });
    });
    await app.api.backup.restore({ name: backup.name });
    const enrol = { status: await exited, stdout, stderr };
    const listed = JSON.parse((await runCli(['--data', data, '--json', 'list'])).stdout) as { identities: { name: string }[] };
    console.log(`restore during normface enroll: exit ${enrol.status}, ${enrol.stdout.trim().split('\n').at(-1)}; listed after: ${listed.identities.map((p) => p.name).join(', ') || 'nobody'}`);
    if (enrol.status === 0) {
      expect(enrol.stdout).toMatch(/Enrolled Late: 12 photos used/);
      expect(listed.identities.map((p) => p.name)).toContain('Late');
    } else {
      expect(enrol.stderr).toMatch(/^normface: [A-Z].*\.\n?$/m);
      expect(listed.identities.map((p) => p.name)).not.toContain('Late');
    }
  }, 120_000);
});
