// The event log's chain check while another program writes (issue 22): the app's service renames a
// person over and over (each rename is a logged event) while `normface list` opens the same folder
// again and again and checks the log. The check reads one snapshot and confirms a break before it
// stores one, so no break is ever stored; a real edit is still reported, by the open when it is newer
// than the checkpoint, by `normface check-log` when it is older.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../core/contract/api';
import type { AppService } from '../../electron/services/app/service';
import { BREAK_SETTING } from '../../electron/services/store/eventChain';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { buildCli, runCli } from '../support/cli';

const storedBreak = (file: string): unknown => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(BREAK_SETTING);
  } finally {
    db.close();
  }
};

describe('the event log check with the app writing at the same time', () => {
  const dir = tempDataDir('log-race');
  const data = join(dir, 'data');
  const file = join(data, 'normface.db');
  let app: { service: AppService; api: Client };
  let personId = '';

  beforeAll(async () => {
    buildCli();
    app = await openApp(data, writeCalibration(dir));
    personId = (await app.api.identities.create({ name: 'Writer', templates: personTemplates(3, 1).map((v) => ({ vector: Array.from(v), quality: { score: 0.8, sharpness: 0.5 }, source: 'photo' as const })) })).id;
  });
  afterAll(() => app?.service.close());

  it('never stores a break while events are being logged, and still reports a real edit', { timeout: 300_000 }, async () => {
    let logging = true;
    let logged = 0;
    const writer = (async () => {
      while (logging) {
        await app.api.identities.rename({ id: personId, name: `Writer ${logged++}` });
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    try {
      for (let run = 0; run < 8; run++) {
        const listed = await runCli(['--data', data, '--json', 'list']);
        expect(listed.status, listed.stderr).toBe(0);
        expect((JSON.parse(listed.stdout) as { eventLog: { intact: boolean } }).eventLog.intact, `run ${run}: ${listed.stdout}`).toBe(true);
        expect(storedBreak(file), `run ${run}`).toBeUndefined();
      }
    } finally {
      logging = false;
      await writer;
    }
    expect(logged).toBeGreaterThan(20);
    const quiet = await runCli(['--data', data, 'check-log']);
    expect(quiet.status, quiet.stdout + quiet.stderr).toBe(0);
    expect(storedBreak(file)).toBeUndefined();

    // An old entry (behind the checkpoint the opens have sealed) edited with a plain SQLite client.
    const db = new Database(file);
    db.prepare('UPDATE events SET at = at + 1 WHERE id = 3').run();
    db.close();
    const full = await runCli(['--data', data, 'check-log']);
    expect(full.status).toBe(1);
    expect(full.stdout).toMatch(/altered from entry 3\b/);
    // Stored, naming the entry: every later open reports it.
    const later = await runCli(['--data', data, 'list']);
    expect(later.stderr).toMatch(/altered from entry 3\b/);
    expect((JSON.parse(storedBreak(file) as string) as { firstAltered: { id: number } }).firstAltered.id).toBe(3);
  });
});
