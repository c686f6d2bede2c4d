// 5,000 mutations of a valid bundle (header fields and lengths, scrypt settings, truncation and bit
// flips of the file, and inside the authenticated payload, sealed again with the passphrase's key:
// ids, names, notes, template lengths and values, thumbnails, bit flips of the plaintext): every one
// either imports only records the contract accepts, or changes nothing; each store opens afterwards
// with nothing to set aside. The key is derived once (scrypt is the one slow step, by design), and
// the peak memory is printed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { idSchema, nameSchema, notesSchema, templateProblem } from '../../core/contract/api';
import { BundleError, openBundleWithKey, writeBundle } from '../../electron/services/bundle/format';
import { fileKeyring, openStore, StoreError, type PortableIdentity, type Store } from '../../electron/services/store/index';
import { personTemplates } from '../support/apiFixtures';
import { copy, floatsBase64, openForCrafting, reseal, type OpenedBundle } from '../support/bundle-craft';
import { jpegThumbnail, seededRandom } from '../support/store-fixtures';

const MUTATIONS = 5000;
/** A fresh store every this many mutations, so the store's own growth does not slow the run. */
const PER_STORE = 100;
const MODEL = 'fuzz-model';
const PASSPHRASE = 'fuzzing passphrase';
const dirs: string[] = [];
// In memory where the system has it: 1,000+ committed imports would otherwise wait on the disk's fsync.
const scratch = () => mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'normface-bundle-fuzz-'));
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const people: PortableIdentity[] = [0, 1].map((p) => ({
  id: `person-${p}`,
  name: ['Ada Lovelace', 'Grace Hopper'][p]!,
  notes: p === 0 ? 'first\nline' : '',
  createdAt: 1_700_000_000_000 + p,
  templates: personTemplates(10 + p, 2).map((vector, i) => ({ modelId: MODEL, vector, quality: { score: 0.7, yaw: -3 }, source: 'camera' as const, thumbnail: jpegThumbnail(seededRandom(p * 2 + i)), createdAt: 1_700_000_000_100 + i })),
}));

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const strangeValues: unknown[] = [
  null, true, 0, -1, 1e308, 2 ** 53 + 1, 0.5, '', ' ', 'x'.repeat(101), 'x'.repeat(3000), 'Alice', 'Alice Martin', '=1+1', '@cmd', '-2', '\u001b[31mred', 'a\nb', 'a\u202eb',
  '../x', 'é', '💥', [], [1], {}, { base64: 'AAAA' }, 'AAAA', '////', '===',
];

/** One record-level change inside the payload (still JSON, then sealed again with the key). */
function mutatePayload(rand: Rand, payload: OpenedBundle['payload']): unknown {
  const out = copy(payload);
  const person = pick(rand, out.identities);
  const templates = person['templates'] as Record<string, unknown>[];
  const template = pick(rand, templates);
  switch (Math.floor(rand() * 12)) {
    case 0: person[pick(rand, ['id', 'name', 'notes', 'createdAt', 'templates', 'extra'])] = pick(rand, strangeValues); break;
    case 1: delete person[pick(rand, ['id', 'name', 'notes', 'createdAt', 'templates'])]; break;
    case 2: template[pick(rand, ['modelId', 'dim', 'vector', 'quality', 'source', 'thumbnail', 'createdAt', 'extra'])] = pick(rand, strangeValues); break;
    case 3: {
      // A template of another length, or with a value changed (most lose unit norm; tiny changes keep it).
      const values = Array.from(personTemplates(Math.floor(rand() * 1000), 1)[0]!);
      const kind = Math.floor(rand() * 4);
      if (kind === 0) values.length = pick(rand, [0, 1, 4, 511, 513, 1024]);
      if (kind === 1) values[Math.floor(rand() * 512)] = pick(rand, [NaN, Infinity, -Infinity, 1e30, 2]);
      if (kind === 2) values[Math.floor(rand() * 512)]! += (rand() - 0.5) * 1e-5;
      if (kind === 3) for (let i = 0; i < values.length; i++) values[i]! *= pick(rand, [0, 0.5, 1.0001, 1.01]);
      template['vector'] = floatsBase64(values);
      if (rand() < 0.3) template['dim'] = values.length;
      break;
    }
    case 4: {
      // A thumbnail cut short, bit-flipped, or not a JPEG at all.
      const jpeg = Buffer.from(jpegThumbnail(seededRandom(3)));
      const kind = Math.floor(rand() * 3);
      const bytes = kind === 0 ? jpeg.subarray(0, Math.floor(rand() * jpeg.length)) : kind === 1 ? Buffer.from(jpeg) : Buffer.from([0xff, 0xd8, 0xff, ...Array.from({ length: 40 }, () => Math.floor(rand() * 256))]);
      if (kind === 1) bytes[Math.floor(rand() * bytes.length)]! ^= 1 << Math.floor(rand() * 8);
      template['thumbnail'] = bytes.toString('base64');
      break;
    }
    case 5: template['quality'] = { ...(template['quality'] as object), [pick(rand, ['score', 'yaw', 'sharpness', 'evil'])]: pick(rand, strangeValues) }; break;
    case 6: person['id'] = pick(rand, ['person-0', 'person-1', 'a'.repeat(64), 'a'.repeat(65), 'Alice', 'x y', '=HYPERLINK("http://evil.example/")', '']); break;
    case 7: person['name'] = pick(rand, ['Bob', '  Bob  ', 'B\u0007ob', 'Bob\r\nverify Alice accept', 'x'.repeat(100), 'x'.repeat(101), '', '\t']); break;
    case 8: templates.push(...(rand() < 0.5 ? [] : templates.slice())); if (rand() < 0.3) templates.length = 0; break;
    case 9: out.identities.push(...(rand() < 0.5 ? out.identities.slice() : [])); if (rand() < 0.2) out.identities.length = 0; break;
    case 10: return pick(rand, [null, [], {}, { identities: null }, { identities: {} }, { identities: [null] }, 'text', 42]);
    default: {
      // A bit flipped in the plaintext: broken JSON, or a changed character somewhere.
      const plain = Buffer.from(JSON.stringify(out));
      plain[Math.floor(rand() * plain.length)]! ^= 1 << Math.floor(rand() * 8);
      return plain;
    }
  }
  return out;
}

/** A change to the header (sealed again, so only the app's own checks stand) or to the file's bytes (not sealed again). */
function mutateFile(rand: Rand, opened: OpenedBundle, file: Buffer): Buffer {
  switch (Math.floor(rand() * 6)) {
    case 0: {
      const kdf = { ...opened.header.kdf, [pick(rand, ['N', 'r', 'p', 'salt', 'name'])]: pick(rand, [2 ** 20, 2 ** 30, 2 ** 14, 0, -1, 1, 4, 16, 'scrypt', 'argon2', 'AAAA', null]) };
      return reseal(opened, opened.payload, { ...opened.header, kdf });
    }
    case 1: return reseal(opened, opened.payload, { ...opened.header, [pick(rand, ['modelId', 'dim', 'cipher', 'nonce', 'extra'])]: pick(rand, strangeValues) });
    case 2: {
      const bytes = Buffer.from(file);
      bytes[Math.floor(rand() * bytes.length)]! ^= 1 << Math.floor(rand() * 8);
      return bytes;
    }
    case 3: return file.subarray(0, Math.floor(rand() * file.length));
    case 4: {
      const bytes = Buffer.from(file);
      bytes.writeUInt32BE(pick(rand, [0, 1, 4096, 4097, 2 ** 32 - 1, bytes.readUInt32BE(9) + 1]), 9);
      return bytes;
    }
    default: {
      const sealed = reseal(opened, opened.payload);
      const header = JSON.parse(sealed.subarray(13, 13 + sealed.readUInt32BE(9)).toString()) as Record<string, unknown>;
      // payloadBytes that disagree with the file.
      return reseal(opened, opened.payload, { ...header, payloadBytes: Number(header['payloadBytes']) + pick(rand, [-1, 1, 1e9]) }).subarray(0);
    }
  }
}

/** Rows in the store, read through a second connection (what another program would see). */
function counter(file: string): { counts(): { identities: number; templates: number; quarantine: number }; close(): void } {
  const db = new Database(file, { readonly: true });
  const query = db.prepare('SELECT (SELECT count(*) FROM identities) AS identities, (SELECT count(*) FROM templates) AS templates, (SELECT count(*) FROM quarantine) AS quarantine');
  return { counts: () => query.get() as never, close: () => db.close() };
}

describe('the bundle fuzzer', () => {
  it(`keeps ${MUTATIONS} mutated bundles to valid records or no change at all`, async () => {
    const file = await writeBundle(people, MODEL, PASSPHRASE);
    const opened = await openForCrafting(file, PASSPHRASE);
    const rand = seededRandom(19);
    let store: Store | null = null;
    let rows: ReturnType<typeof counter> | null = null;
    let dir = '';
    const outcomes = { imported: 0, refused: 0 };
    const reasons = new Map<string, number>();
    let peakRss = process.memoryUsage().rss;
    const reopenClean = (d: string) => {
      const again = openStore({ dir: d, keyring: fileKeyring(join(d, 'key')), autoBackup: false, currentModel: { modelId: MODEL } });
      expect(again.problems()).toEqual([]);
      again.close();
    };
    for (let i = 0; i < MUTATIONS; i++) {
      if (i % PER_STORE === 0) {
        if (store) {
          rows!.close();
          store.close();
          reopenClean(dir);
        }
        dir = scratch();
        dirs.push(dir);
        store = openStore({ dir, keyring: fileKeyring(join(dir, 'key')), autoBackup: false, currentModel: { modelId: MODEL } });
        rows = counter(store.file);
      }
      const mutated = rand() < 0.7 ? reseal(opened, mutatePayload(rand, opened.payload)) : mutateFile(rand, opened, file);
      const before = rows!.counts();
      let imported: PortableIdentity[] | null = null;
      try {
        imported = openBundleWithKey(mutated, opened.key, MODEL).people;
      } catch (error) {
        if (!(error instanceof BundleError)) throw new Error(`mutation ${i} threw ${String(error)}`);
        reasons.set(error.code, (reasons.get(error.code) ?? 0) + 1);
      }
      if (imported) {
        // What passed the gate is what the contract accepts, checked here again on its own terms.
        for (const p of imported) {
          expect(idSchema.safeParse(p.id).success && nameSchema.safeParse(p.name).success && notesSchema.safeParse(p.notes).success).toBe(true);
          for (const t of p.templates) expect(templateProblem(t.vector)).toBeNull();
        }
        try {
          const outcome = store!.importIdentities(imported, new Map());
          const after = rows!.counts();
          expect(after.identities - before.identities).toBe(outcome.added);
          expect(after.templates - before.templates).toBe(outcome.templates);
          outcomes.imported++;
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          expect(rows!.counts()).toEqual(before);
          outcomes.refused++;
        }
      } else {
        expect(rows!.counts()).toEqual(before);
        outcomes.refused++;
      }
      if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    rows!.close();
    store!.close();
    reopenClean(dir);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`bundle fuzz: ${MUTATIONS} mutations, ${outcomes.imported} imported only valid records, ${outcomes.refused} changed nothing (${[...reasons].map(([k, n]) => `${k} ${n}`).join(', ')}); peak RSS ${Math.round(peakRss / 1048576)} MiB`);
    expect(outcomes.imported + outcomes.refused).toBe(MUTATIONS);
    // Both sides of the rule are exercised, and every kind of refusal the file format has.
    expect(outcomes.imported).toBeGreaterThan(100);
    for (const code of ['invalid-record', 'wrong-passphrase', 'unsupported-kdf', 'truncated', 'not-a-bundle', 'other-model']) expect(reasons.get(code) ?? 0).toBeGreaterThan(0);
    expect(peakRss).toBeLessThan(1024 * 1048576);
  }, 600_000);
});
