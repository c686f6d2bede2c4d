// Crash safety of the sealing migration (0004): a child opening a plaintext schema-3 database (and a
// plaintext backup beside it) is killed with SIGKILL at a random moment, 20 times, each time on a fresh
// copy. Every time, the database and the backup pass integrity_check and are whole: either still
// schema 3 with every plaintext row, or sealed with every row opening and the log's chain intact.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { migrate, SEALED_VERSION } from '../../electron/services/store/migrations/index';
import { place, seal } from '../../electron/services/store/seal';
import { bundleChild } from '../support/crash-child';
import { repoRoot } from '../support/shared';
import { MODEL_ID, seededRandom, tempDir, unitVector } from '../support/store-fixtures';

const KILLS = 20;
const PEOPLE = 400;
const EVENTS_EACH = 4;
const work = tempDir('seal-crash');
const child = join(work.dir, 'store-seal-crash-child.cjs');
const original = join(work.dir, 'v3.db');
const keyFile = join(work.dir, 'key');
const dataDir = join(work.dir, 'data');

function writeVersion3(): void {
  const key = fileKeyring(keyFile).getKey();
  const random = seededRandom(77);
  const db = new Database(original);
  migrate(db, 3);
  db.transaction(() => {
    db.prepare('INSERT INTO key_check (id, sealed) VALUES (1, ?)').run(seal(key, place.keyCheck, Buffer.from('normface key check v1')));
    const person = db.prepare('INSERT INTO identities (id, display_name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    const template = db.prepare(`INSERT INTO templates (id, identity_id, model_id, dim, vector, quality, source, thumbnail, created_at) VALUES (?, ?, ?, 512, ?, '{}', 'camera', NULL, 1)`);
    const event = db.prepare('INSERT INTO events (at, kind, identity_id, display_name, score, decision, details) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < PEOPLE; i++) {
      const id = `p${i}`;
      person.run(id, `Person ${i}`, `notes of person ${i}`, i, i);
      template.run(`t${i}`, id, MODEL_ID, seal(key, place.templateVector(`t${i}`), Buffer.from(unitVector(random).buffer)));
      for (let e = 0; e < EVENTS_EACH; e++) event.run(i * 10 + e, 'checkin', id, `Person ${i}`, 0.5, 'accept', JSON.stringify({ repeat: e > 0 }));
    }
  })();
  db.close();
}

beforeAll(async () => {
  await bundleChild('test/support/store-seal-crash-child.ts', child);
  writeVersion3();
});
afterAll(() => work.remove());

/** A fresh plaintext data folder: the database, its key and one backup made before sealing. */
function stage(): void {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'backups'), { recursive: true });
  copyFileSync(original, join(dataDir, 'normface.db'));
  copyFileSync(original, join(dataDir, 'backups', 'backup-old.db'));
  copyFileSync(keyFile, join(dataDir, 'key'));
}

/** Runs the child; kills it `delayMs` after "ready" (never when null). Resolves with its output. */
function openAndKill(delayMs: number | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dataDir], {
      env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!armed && delayMs !== null && out.includes('ready\n')) {
        armed = true;
        setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 || delayMs !== null ? resolve(out) : reject(new Error(`the child failed: ${err}`))));
  });
}

/** 'plain' or 'sealed', after proving the file whole in that state. */
function inspect(file: string, what: string): 'plain' | 'sealed' {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true }), what).toBe('ok');
    const version = db.pragma('user_version', { simple: true }) as number;
    // Later steps (0008, the fleet's tables) may follow the sealing one in the same open.
    expect(version === 3 || version >= SEALED_VERSION, `${what}: version ${version}`).toBe(true);
    expect(db.prepare('SELECT count(*) FROM identities').pluck().get(), what).toBe(PEOPLE);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get(), what).toBe(PEOPLE * EVENTS_EACH);
    if (version === 3) {
      expect(db.prepare(`SELECT count(*) FROM identities WHERE display_name LIKE 'Person %'`).pluck().get(), what).toBe(PEOPLE);
      return 'plain';
    }
    return 'sealed';
  } finally {
    db.close();
  }
}

describe('crash safety of the sealing migration', () => {
  it(`${KILLS} SIGKILLs while sealing leave the database and its backup whole, before or after`, { timeout: 300_000 }, async () => {
    stage();
    const done = (await openAndKill(null)).match(/done (\d+)/);
    const duration = Number(done?.[1] ?? 0);
    expect(duration).toBeGreaterThan(0);
    expect(inspect(join(dataDir, 'normface.db'), 'uninterrupted')).toBe('sealed');

    const random = seededRandom(4);
    const states = { plain: 0, sealed: 0 };
    for (let kill = 1; kill <= KILLS; kill++) {
      stage();
      await openAndKill(Math.floor(random() * duration * 1.2));
      const state = inspect(join(dataDir, 'normface.db'), `database after kill ${kill}`);
      inspect(join(dataDir, 'backups', 'backup-old.db'), `backup after kill ${kill}`);
      states[state]++;
      // Whatever state it was left in, the store opens it (sealing it now if it was not) with everything.
      const store = openStore({ dir: dataDir, keyring: fileKeyring(join(dataDir, 'key')), autoBackup: false });
      expect(store.listIdentities(), `after kill ${kill}`).toHaveLength(PEOPLE);
      expect(store.listEvents({ limit: 10_000 }), `after kill ${kill}`).toHaveLength(PEOPLE * EVENTS_EACH);
      expect(store.eventLog().intact, `after kill ${kill}`).toBe(true);
      store.close();
    }
    console.log(`seal crash: migration ${duration} ms; ${KILLS} kills left it plaintext ${states.plain} times, sealed ${states.sealed} times, whole every time`);
    expect(states.plain).toBeGreaterThan(0);
  });
});
