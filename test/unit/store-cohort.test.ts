// The cohort table through the real store: sealed at rest (no float of a kept face in the database
// file or its WAL), aged out by the clock, capped oldest-first, and gone after clear / delete all.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, openStore, type Store } from '../../electron/services/store/index';
import { contains, databaseBytes, floatBytes, MODEL_ID, seededRandom, tempDir, unitVector } from '../support/store-fixtures';

const DAY = 86_400_000;
const policy = { cap: 5, maxAgeMs: 90 * DAY };

describe('store: the cohort of unrecognised faces', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function open(clock: { now: number }): Store {
    const t = tempDir('cohort');
    const store = openStore({ dir: t.dir, keyring: fileKeyring(join(t.dir, 'key')), now: () => clock.now, autoBackup: false });
    cleanups.push(() => {
      store.close();
      t.remove();
    });
    return store;
  }

  it('keeps N faces sealed: none of their floats is in the database file or its WAL, and they open again', () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const store = open(clock);
    const random = seededRandom(11);
    const faces = Array.from({ length: 4 }, () => unitVector(random));
    for (const f of faces) {
      store.addToCohort(MODEL_ID, f, policy);
      clock.now += 1000;
    }
    expect(store.cohortSize()).toEqual({ count: 4, oldestAt: Date.UTC(2026, 0, 1) });
    const bytes = databaseBytes(store.file);
    for (const f of faces) {
      for (const i of [0, 100, 510]) expect(contains(bytes, floatBytes(f, i, 2))).toBe(false);
    }
    const back = [...store.cohortTemplates()];
    expect(back.map((t) => Array.from(t.vector))).toEqual(faces.map((f) => Array.from(f)));
    expect(back.every((t) => t.modelId === MODEL_ID)).toBe(true);
  });

  it('ages faces out by the clock and keeps only the newest `cap`', () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const store = open(clock);
    const random = seededRandom(12);
    store.addToCohort(MODEL_ID, unitVector(random), policy);
    clock.now += 89 * DAY;
    store.addToCohort(MODEL_ID, unitVector(random), policy);
    expect(store.pruneCohort(policy)).toBe(0);
    clock.now += 2 * DAY; // the first face is now 91 days old, the second 2
    expect(store.pruneCohort(policy)).toBe(1);
    expect(store.cohortSize().count).toBe(1);

    const kept: Float32Array[] = [];
    for (let i = 0; i < 7; i++) {
      clock.now += 1000;
      const f = unitVector(random);
      kept.push(f);
      store.addToCohort(MODEL_ID, f, policy);
    }
    expect(store.cohortSize().count).toBe(5);
    expect([...store.cohortTemplates()].map((t) => t.vector[0])).toEqual(kept.slice(-5).map((f) => f[0]));
  });

  it('clear and delete-all empty it, leaving no float behind', () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const store = open(clock);
    const random = seededRandom(13);
    const a = unitVector(random);
    store.addToCohort(MODEL_ID, a, policy);
    store.addToCohort(MODEL_ID, unitVector(random), policy);
    expect(store.clearCohort()).toBe(2);
    expect(store.cohortSize().count).toBe(0);
    store.addToCohort(MODEL_ID, a, policy);
    store.deleteAllData();
    expect(store.cohortSize().count).toBe(0);
    expect([...store.cohortTemplates()]).toEqual([]);
  });

  it('refuses a vector that is not a unit template, keeping nothing', () => {
    const store = open({ now: 0 });
    expect(() => store.addToCohort(MODEL_ID, new Float32Array(512).fill(1), policy)).toThrow(/unit length/);
    expect(store.cohortSize().count).toBe(0);
  });
});
