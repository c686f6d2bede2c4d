// Crash safety: a child process enrolling identities of 50 templates is killed with SIGKILL at a
// random moment, 20 times over the same database. Each time the file passes integrity_check and every
// identity is whole (50 templates, all opening) or absent.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { bundleChild } from '../support/crash-child';
import { repoRoot } from '../support/shared';
import { seededRandom, tempDir } from '../support/store-fixtures';

const KILLS = 20;
const TEMPLATES = 50;
const work = tempDir('crash');
const child = join(work.dir, 'store-crash-child.cjs');
const dataDir = join(work.dir, 'data');

beforeAll(async () => {
  await bundleChild('test/support/store-crash-child.ts', child);
});
afterAll(() => work.remove());

/** Starts the child, waits for "ready", kills it `delayMs` later; resolves with everything it printed. */
function enrolAndKill(seed: number, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dataDir, String(seed)], {
      env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!armed && out.includes('ready\n')) {
        armed = true;
        setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the child ended by itself (signal ${signal}): ${err}`));
      else resolve(out.trim().split('\n'));
    });
  });
}

describe('crash safety', () => {
  it(`${KILLS} SIGKILLs mid-enrolment leave a sound database with whole or absent identities`, async () => {
    const random = seededRandom(2024);
    let midEnrolment = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const lines = await enrolAndKill(kill, Math.floor(random() * 120));
      const begun = lines.filter((l) => l.startsWith('begin ')).length;
      const done = lines.filter((l) => l.startsWith('done ')).length;
      if (begun > done) midEnrolment++;

      const db = new Database(join(dataDir, 'normface.db'));
      expect(db.pragma('integrity_check', { simple: true }), `after kill ${kill}`).toBe('ok');
      db.close();
      // Names are sealed: the store opens them.
      const reader = openStore({ dir: dataDir, keyring: fileKeyring(join(dataDir, 'key')), autoBackup: false });
      const counts = reader.listIdentities().map((p) => ({ name: p.name, n: p.templateCount }));
      reader.close();
      expect(counts.filter((c) => c.n !== TEMPLATES), `after kill ${kill}`).toEqual([]);
      // Every enrolment the child reported done survived; the interrupted one is there or not, never half.
      const names = new Set(counts.map((c) => c.name));
      for (let n = 0; n < done; n++) expect(names.has(`crash ${kill} ${n}`)).toBe(true);
    }

    // The store itself opens the survivor and every template's seal opens.
    const store = openStore({ dir: dataDir, keyring: fileKeyring(join(dataDir, 'key')), autoBackup: false });
    const people = store.listIdentities();
    const loaded = [...store.allTemplates()];
    store.close();
    expect(people.every((p) => p.templateCount === TEMPLATES)).toBe(true);
    expect(loaded).toHaveLength(people.length * TEMPLATES);
    console.log(`crash: ${KILLS} kills, ${midEnrolment} inside an enrolment, ${people.length} identities survived whole`);
    expect(midEnrolment).toBeGreaterThanOrEqual(KILLS / 2);
  });
});
