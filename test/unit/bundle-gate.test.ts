// Nothing from a file can hijack a person or stop the app (issue 19): bundles made by the test from a
// real export and its passphrase, then changed as someone holding the passphrase could (a victim's
// id, a 4-value template, a formula id, a costly scrypt header, control characters, a fake JPEG), are
// refused with a sentence naming the first bad record and change nothing, or are imported under this
// machine's ids with checked values. A lockout survives export, delete and re-import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Client } from '../../core/contract/api';
import { findIdentity } from '../../electron/cli/identities';
import type { AppService } from '../../electron/services/app/service';
import { checkinsCsv, eventsCsv } from '../../electron/services/app/csv';
import { SCRYPT } from '../../electron/services/bundle/format';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { copy, floatsBase64, openForCrafting, reseal, type OpenedBundle } from '../support/bundle-craft';
import { decideOn } from '../support/loginDecision';
import { jpegThumbnail, seededRandom } from '../support/store-fixtures';
import { join } from 'node:path';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { jpegProblem } from '../../core/contract/jpeg';
import { hasLfw, lfwRoot } from '../support/shared';

const PASSPHRASE = 'correct horse battery staple';
const quality = { score: 0.8, sharpness: 0.5 };
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

interface App { service: AppService; api: Client; dir: string }
const dirs: string[] = [];
const apps: App[] = [];
async function app(name: string): Promise<App> {
  const dir = tempDataDir(`gate-${name}`);
  dirs.push(dir);
  const opened = { ...(await openApp(dir, writeCalibration(dir))), dir };
  apps.push(opened);
  return opened;
}
afterAll(() => {
  for (const a of apps) a.service.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** Everything an import could change. */
async function snapshot(a: App): Promise<unknown> {
  const people = await a.api.identities.list({});
  return { people: people.map((p) => [p.id, p.name, p.templateCount, p.lockedUntil]), events: (await a.api.events.list({ limit: 10_000 })).length, templates: a.service.matcher.size };
}

const enrolment = (seed: number, count: number) => personTemplates(seed, count).map((vector, i) => ({ vector, quality, source: 'camera' as const, thumbnail: jpegThumbnail(seededRandom(seed + i)) }));

describe('the import gate', () => {
  let source: App;
  let target: App;
  let alice: { id: string };
  let real: OpenedBundle;
  const bobProbes = personTemplates(2, 3);

  beforeAll(async () => {
    source = await app('source');
    target = await app('target');
    await source.api.identities.create({ name: 'Bob Visitor', notes: 'from the lobby', templates: enrolment(2, 2) });
    alice = await target.api.identities.create({ name: 'Alice Martin', templates: enrolment(1, 3) });
    const exported = await source.api.bundle.export({ passphrase: PASSPHRASE });
    real = await openForCrafting(Buffer.from(exported.bundle, 'base64'), PASSPHRASE);
  }, 60_000);

  /** Imports a crafted payload (or header) into the target. */
  const importCrafted = (payload: unknown, header?: Record<string, unknown>, choices?: Record<string, 'merge' | 'skip'>) =>
    target.api.bundle.import({ bundle: reseal(real, payload, header).toString('base64'), passphrase: PASSPHRASE, ...(choices ? { choices } : {}) });
  const withPerson = (change: (p: Record<string, unknown>) => void) => {
    const payload = copy(real.payload);
    change(payload.identities[0]!);
    return payload;
  };

  it('mints this machine\'s id for a record carrying the victim\'s id, leaves the victim as it was, and the mapping to the victim still refuses B', async () => {
    const before = await target.api.identities.get({ id: alice.id });
    const outcome = await importCrafted(withPerson((p) => { p['id'] = alice.id; }), undefined, { [alice.id]: 'merge' });
    // The faces disagree, so the id proves nothing: Bob comes in as a new person, not into Alice.
    expect(outcome).toMatchObject({ added: 1, merged: 0 });
    const people = await target.api.identities.list({});
    const bob = people.find((p) => p.name === 'Bob Visitor')!;
    expect(bob.id).not.toBe(alice.id);
    expect(bob.id).toMatch(/^[0-9a-f-]{36}$/);
    const after = await target.api.identities.get({ id: alice.id });
    expect(after.templates.map((t) => t.id)).toEqual(before.templates.map((t) => t.id));
    // PAM maps "user alice = Alice Martin" (or her id) through findIdentity: still her, and B is refused.
    for (const mapping of ['Alice Martin', alice.id]) {
      const mapped = await findIdentity(target.api, mapping);
      expect(mapped.id).toBe(alice.id);
      expect(decideOn(target.service.matcher, mapped.id, bobProbes, 0.4)).toMatchObject({ accepted: false, reason: 'no-match' });
    }
    await target.api.identities.delete({ id: bob.id });
  });

  it('refuses an id the contract would refuse (a name with a space, a formula), naming the record, and changes nothing', async () => {
    const before = await snapshot(target);
    for (const id of ['Alice Martin', '=HYPERLINK("http://evil.example/")', '../../etc', '']) {
      const error = await refusal(importCrafted(withPerson((p) => { p['id'] = id; })));
      expect(error.code).toBe('invalid-arguments');
      expect(error.message).toMatch(/^The file's person 1 "Bob Visitor" \(id .*\) is not valid \(id\): expected an id\. Nothing was imported\.$/);
    }
    expect(await snapshot(target)).toEqual(before);
  });

  it('refuses a 4-value template of the current model (the bricked store), and the store keeps opening', async () => {
    const before = await snapshot(target);
    const error = await refusal(importCrafted(withPerson((p) => {
      const t = (p['templates'] as Record<string, unknown>[])[1]!;
      t['vector'] = floatsBase64([0.5, 0.5, 0.5, 0.5]);
      t['dim'] = 4;
    })));
    expect(error.message).toMatch(/person 1 "Bob Visitor" .*\(templates 2 dim\): .*512/);
    for (const vector of [[NaN, ...new Array(511).fill(0)], new Array(512).fill(1)]) {
      const bad = await refusal(importCrafted(withPerson((p) => { (p['templates'] as Record<string, unknown>[])[0]!['vector'] = floatsBase64(vector); })));
      expect(bad.message).toMatch(/templates 1 vector.*(finite|unit vector)/);
    }
    expect(await snapshot(target)).toEqual(before);
    expect((await target.api.app.info({})).store).toEqual({ state: 'ok' });
  });

  it('refuses names with control characters (a forged log line) and thumbnails that are not the JPEG they claim', async () => {
    const before = await snapshot(target);
    const forged = await refusal(importCrafted(withPerson((p) => { p['name'] = 'Eve\n2026-12-06T08:00:00.000Z  verify  Alice Martin  accept\u001b[2K'; })));
    expect(forged.message).toContain('a name cannot contain control characters');
    // The sentence itself shows the name with its control characters escaped.
    expect(forged.message).toContain('Eve\\x0a2026');
    expect(['\n', '\u001b'].filter((c) => forged.message.includes(c))).toEqual([]);
    const fake = await refusal(importCrafted(withPerson((p) => {
      (p['templates'] as Record<string, unknown>[])[0]!['thumbnail'] = b64(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 1, 2, 3]));
    })));
    expect(fake.message).toMatch(/templates 1 thumbnail\): the thumbnail is not the JPEG image it claims to be: a segment runs past the end/);
    // A real JPEG cut short, and one with something after its end (a polyglot), are refused too.
    const jpeg = jpegThumbnail(seededRandom(9));
    for (const [bytes, why] of [[jpeg.subarray(0, jpeg.length - 40), /cut short|runs past|missing/], [Uint8Array.from([...jpeg, ...Buffer.from('<script>')]), /bytes follow its end/]] as const) {
      const refused = await refusal(importCrafted(withPerson((p) => { (p['templates'] as Record<string, unknown>[])[0]!['thumbnail'] = b64(bytes); })));
      expect(refused.message).toMatch(why);
    }
    const extra = await refusal(importCrafted(withPerson((p) => { p['admin'] = true; })));
    expect(extra.message).toMatch(/person 1 .* is not valid/);
    expect(await snapshot(target)).toEqual(before);
  });

  it('refuses scrypt settings other than the app\'s own before deriving, and answers "busy" to a second derivation', async () => {
    for (const kdf of [{ N: 2 ** 20 }, { p: 4 }, { r: 16 }, { N: 2 ** 14 }, { salt: b64(new Uint8Array(64)) }]) {
      const header = { ...real.header, kdf: { ...real.header.kdf, ...kdf } };
      const error = await refusal(target.api.bundle.inspect({ bundle: reseal(real, real.payload, header).toString('base64'), passphrase: 'not even the passphrase' }));
      expect(error.message).toMatch(/key-derivation settings this app never writes \(it uses scrypt N=2\^17, r=8, p=1/);
    }
    expect(SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const file = reseal(real, real.payload).toString('base64');
    const results = await Promise.allSettled([target.api.bundle.inspect({ bundle: file, passphrase: PASSPHRASE }), target.api.bundle.inspect({ bundle: file, passphrase: PASSPHRASE })]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'unavailable', message: expect.stringMatching(/Another bundle is being sealed or opened right now/) } });
  }, 30_000);

  it('imports a real bundle with fresh ids and the checked values', async () => {
    const outcome = await importCrafted(real.payload);
    expect(outcome).toEqual({ added: 1, merged: 0, skipped: 0, templates: 2 });
    const bob = (await target.api.identities.list({ query: 'Bob' }))[0]!;
    expect(bob.id).not.toBe(real.payload.identities[0]!['id']);
    const detail = await target.api.identities.get({ id: bob.id });
    expect(detail.notes).toBe('from the lobby');
    expect(detail.templates.map((t) => t.quality)).toEqual([quality, quality]);
    expect(detail.templates.every((t) => t.thumbnail !== null)).toBe(true);
    // The same file again is the same person (the origin reference and the face agree): skipped, not added twice.
    const inspected = await target.api.bundle.inspect({ bundle: reseal(real, real.payload).toString('base64'), passphrase: PASSPHRASE });
    expect(inspected.people[0]!.match).toMatchObject({ identityId: bob.id, by: 'id' });
    await target.api.identities.delete({ id: bob.id });
  });
});

describe('a lockout', () => {
  it('survives export, delete and re-import of the locked person', async () => {
    const a = await app('lockout');
    const carol = await a.api.identities.create({ name: 'Carol', templates: enrolment(5, 2) });
    // Within the default 15-minute lock (a lock is never reported longer than its configured length).
    const until = Date.now() + 10 * 60_000;
    const near = (t: number | null) => t !== null && Math.abs(t - until) < 2_000;
    // The failures as the login policy writes them, through a second connection (as `normface verify` would).
    const other = openStore({ dir: a.dir, keyring: fileKeyring(join(a.dir, 'normface.key')), autoBackup: false });
    other.setLockout({ identityId: carol.id, failures: 5, lockedUntil: until });
    other.close();
    expect(near((await a.api.identities.get({ id: carol.id })).lockedUntil)).toBe(true);
    const { bundle } = await a.api.bundle.export({ identityIds: [carol.id], passphrase: PASSPHRASE });
    await a.api.identities.delete({ id: carol.id });
    expect(await a.api.identities.list({})).toEqual([]);
    expect(await a.api.bundle.import({ bundle, passphrase: PASSPHRASE })).toMatchObject({ added: 1 });
    const back = (await a.api.identities.list({}))[0]!;
    expect(back.id).not.toBe(carol.id);
    expect(near(back.lockedUntil)).toBe(true);
    // And once more: deleting the re-imported record holds the lock again for the next import.
    await a.api.identities.delete({ id: back.id });
    await a.api.bundle.import({ bundle, passphrase: PASSPHRASE });
    expect(near((await a.api.identities.list({}))[0]!.lockedUntil)).toBe(true);
  }, 30_000);
});

describe('CSV exports', () => {
  it('neutralise a formula in every column, ids included', () => {
    const formula = '=HYPERLINK("http://evil.example/")';
    const checkins = checkinsCsv([{ id: '1', identityId: formula, name: '@SUM(A1)', at: 0, score: -0.25, repeat: false }]);
    expect(checkins.split('\r\n')[1]).toBe(`1970-01-01T00:00:00.000Z,"'=HYPERLINK(""http://evil.example/"")",'@SUM(A1),-0.2500,no`);
    const events = eventsCsv([{ id: '1', at: 0, kind: 'verify', identityId: '+cmd', score: null, decision: 'accept', name: '\tTab', detail: {} }]);
    expect(events.split('\r\n')[1]).toBe(`1970-01-01T00:00:00.000Z,verify,'+cmd,'\tTab,accept,,{}`);
  });
});

describe('the JPEG check for imported thumbnails', () => {
  it.skipIf(!hasLfw)('reads real photos (LFW) and the app\'s own thumbnails as complete JPEGs', () => {
    const folder = join(lfwRoot, 'images', 'Abdullah_Gul');
    for (const name of readdirSync(folder).slice(0, 10)) expect(jpegProblem(readFileSync(join(folder, name)))).toBeNull();
    expect(jpegProblem(jpegThumbnail(seededRandom(1), 128))).toBeNull();
  });

  it('refuses what only starts like one', () => {
    const jpeg = jpegThumbnail(seededRandom(2));
    expect(jpegProblem(Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]))).toBe('it holds no image data');
    expect(jpegProblem(jpeg.subarray(0, 300))).not.toBeNull();
    expect(jpegProblem(Uint8Array.from([...jpeg, 1]))).toBe('bytes follow its end');
  });
});
