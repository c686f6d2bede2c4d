// Who may do what, attacked as a caller with the launch token would: every operator call made without
// an operator session is refused before any handler runs and leaves the database file byte for byte
// as it was; the public calls are exactly those the README lists; the level is the operator's; an
// attempt is bound to a single-use challenge and rate-limited; operators sign in with a passphrase,
// are throttled and locked like logins, and every managing call is logged with who made it.
import { createHash } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, callNames, createClient, publicCalls, DELETE_ALL_CONFIRMATION, type CallName, type Client } from '../../core/contract/api';
import { Access, CHALLENGE_MS } from '../../electron/services/app/access';
import { createAppService, type AppService } from '../../electron/services/app/service';
import { appDeps, clientsOf, openApp, personTemplates, tempDataDir, TEST_OPERATOR, withChallenges, writeCalibration } from '../support/apiFixtures';
import { loginEvidence } from '../support/loginEvidence';
import { visitEvidence } from '../support/visitEvidence';
import { repoRoot } from '../support/shared';

type OperatorCall = Exclude<CallName, (typeof publicCalls)[number]>;

const template = () => Array.from(personTemplates(7, 1)[0]!);
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]).toString('base64');

/** Valid arguments for every call; `satisfies` makes a new call fail to compile until it is listed here. */
function validArgs(ids: { person: string; template: string; operator: string }): Record<CallName, Record<string, unknown>> {
  const t = { vector: template(), quality: { score: 0.8 }, source: 'photo', thumbnail: jpeg };
  return {
    'app.info': {},
    'session.status': {},
    'attempt.challenge': {},
    login: { identityId: ids.person, evidence: loginEvidence([Float32Array.from(template())]) },
    'checkins.visit': { evidence: visitEvidence([Float32Array.from(template())]) },
    'operators.setup': { name: 'Mallory', passphrase: 'mallory passphrase' },
    'operators.signIn': { name: 'Mallory', passphrase: 'mallory passphrase' },
    'operators.signOut': {},
    'operators.list': {},
    'operators.add': { name: 'Mallory', passphrase: 'mallory passphrase' },
    'operators.remove': { id: ids.operator },
    'kiosk.start': {},
    'kiosk.leave': {},
    'identities.list': { query: 'A' },
    'identities.get': { id: ids.person },
    'identities.create': { name: 'X', notes: 'n', templates: [t] },
    'identities.rename': { id: ids.person, name: 'Y' },
    'identities.addTemplates': { id: ids.person, templates: [t] },
    'identities.removeTemplate': { id: ids.person, templateId: ids.template },
    'identities.delete': { id: ids.person },
    'enroll.checkDuplicate': { templates: [template()], level: '1e-4' },
    identify: { probe: template(), k: 3 },
    'checkins.manual': { identityId: ids.person },
    'checkins.list': { from: 0 },
    'gallery.status': {},
    'cohort.clear': {},
    'checkins.exportCsv': { from: 0 },
    'events.list': { limit: 5 },
    'events.checkLog': {},
    'settings.get': {},
    'settings.set': { lockoutAttempts: 100, securityLevel: '1e-3' },
    'backup.create': {},
    'backup.list': {},
    'backup.restore': { name: 'auto-backup.db' },
    'bundle.export': { passphrase: 'a passphrase of mine' },
    'bundle.inspect': { bundle: 'AAAA', passphrase: 'x' },
    'bundle.import': { bundle: 'AAAA', passphrase: 'x' },
    'data.deleteAll': { confirm: DELETE_ALL_CONFIRMATION },
    'training.start': { options: { epochs: 3 } },
    'training.status': {},
    'training.cancel': {},
    'training.accept': { runId: 'r1' },
    'training.rollback': {},
    'training.runs': {},
    'fleet.status': {},
    'fleet.create': { connection: 'postgresql://desk@127.0.0.1:1/fleet', label: 'Front desk' },
    'fleet.invite': { label: 'Side door', passphrase: 'a join code passphrase' },
    'fleet.join': { connection: 'postgresql://desk@127.0.0.1:1/fleet', joinCode: 'AAAA', passphrase: 'a join code passphrase' },
    'fleet.leave': {},
    'fleet.removeDesk': { deskId: 'abc' },
    'fleet.sync': {},
  } satisfies Record<CallName, Record<string, unknown>>;
}

/** The database and its journal, hashed: what a refused call must leave exactly as it was. */
function fileState(dir: string): string {
  const hash = createHash('sha256');
  for (const name of ['normface.db', 'normface.db-wal']) {
    const path = join(dir, name);
    hash.update(name).update(existsSync(path) ? readFileSync(path) : Buffer.alloc(0));
  }
  return hash.digest('hex');
}

describe('rights: what a caller without an operator session may do', () => {
  let dir: string;
  let service: AppService;
  let api: Client;
  let ids: { person: string; template: string; operator: string };
  beforeAll(async () => {
    dir = tempDataDir('rights');
    ({ service, api } = await openApp(dir, writeCalibration(dir)));
    const created = await api.identities.create({ name: 'Person A', templates: personTemplates(1, 2).map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'photo' as const })) });
    const second = await api.operators.add({ name: 'Second Operator', passphrase: 'second operator passphrase' });
    await api.backup.create();
    ids = { person: created.id, template: created.templates[0]!.id, operator: second.id };
  });
  afterAll(() => service?.close());

  it('the public calls are exactly the ones the README lists', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const listed = /Public calls[^\n]*\n+\| call \| what \|\n\| --- \| --- \|\n((?:\| `[^`]+` \|[^\n]*\n)+)/.exec(readme);
    expect(listed, 'README.md has a "Public calls" table').not.toBeNull();
    const names = [...listed![1]!.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect([...publicCalls].sort()).toEqual([...names].sort());
    expect([...publicCalls].sort()).toEqual(['app.info', 'attempt.challenge', 'checkins.visit', 'login', 'operators.setup', 'operators.signIn', 'operators.signOut', 'session.status']);
  });

  it('refuses every operator call with valid arguments before any handler runs, and the database file does not change', async () => {
    const args = validArgs(ids);
    const visitor = service.gate.connect();
    const before = fileState(dir);
    const operatorCalls = callNames.filter((n): n is OperatorCall => calls[n].right === 'operator');
    expect(operatorCalls.length).toBe(callNames.length - publicCalls.length);
    for (const name of operatorCalls) {
      const reply = await visitor.dispatch(name, args[name]);
      expect(reply, name).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(!reply.ok && reply.error.message, name).toMatch(/for operators: sign in as an operator/);
    }
    expect(fileState(dir)).toBe(before);
    // The control: an operator's reads go through (so the refusals above were for the right).
    expect((await api.identities.list({})).length).toBe(1);
  });

  it('app.info tells a caller without a session nothing about where the data live or how the key is kept', async () => {
    const visitor = createClient(service.gate.connect().dispatch);
    const seen = await visitor.app.info({});
    expect(seen).toMatchObject({ keyCustody: null, eventLog: null, storeProblems: [], store: { state: 'ok' } });
    expect(seen.models.length).toBeGreaterThan(0);
    expect(JSON.stringify(seen)).not.toContain(dir);
    // The control: an operator reads them.
    const full = await api.app.info({});
    expect(full.keyCustody).not.toBeNull();
    expect(full.eventLog).not.toBeNull();
  });

  it('after the first operator exists, operators.setup is refused, and a sign-in with a wrong passphrase changes nothing but the count', async () => {
    const visitor = createClient(withChallenges(service.gate.connect().dispatch));
    await expect(visitor.operators.setup({ name: 'Mallory', passphrase: 'mallory passphrase' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(visitor.operators.signIn({ name: TEST_OPERATOR.name, passphrase: 'not the passphrase' })).rejects.toMatchObject({ code: 'forbidden', message: /name or passphrase is wrong; \d attempts? left/ });
    await expect(visitor.operators.signIn({ name: 'Nobody', passphrase: 'whatever it is' })).rejects.toMatchObject({ code: 'forbidden', message: 'The name or passphrase is wrong.' });
    await expect(visitor.identities.list({})).rejects.toMatchObject({ code: 'forbidden' });
    const status = await visitor.operators.signIn(TEST_OPERATOR);
    expect(status.operator?.name).toBe(TEST_OPERATOR.name);
    expect((await visitor.identities.list({})).length).toBe(1);
    await visitor.operators.signOut();
    await expect(visitor.identities.list({})).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('rights: attempts, levels and operators', () => {
  let dir: string;
  let service: AppService;
  let api: Client;
  let person: string;
  const [a1, a2, a3] = personTemplates(31, 3) as [Float32Array, Float32Array, Float32Array];
  const [b1] = personTemplates(32, 1) as [Float32Array];
  beforeAll(async () => {
    dir = tempDataDir('rights-attempts');
    ({ service, api } = await openApp(dir, writeCalibration(dir)));
    person = (await api.identities.create({ name: 'Ada', templates: [a1, a2].map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'photo' as const })) })).id;
    await api.settings.set({ lockoutAttempts: 50 });
  });
  afterAll(() => service?.close());

  it('decides at the level in Settings: a caller may ask for a stricter level, never a laxer one', async () => {
    const visitor = createClient(withChallenges(service.gate.connect().dispatch));
    await api.settings.set({ securityLevel: '1e-4' });
    const lax = await visitor.login({ identityId: person, level: '1e-3', evidence: loginEvidence([a3]) as never } as never);
    expect(lax.level).toBe('1e-4');
    const strict = await visitor.login({ identityId: person, level: '1e-5', evidence: loginEvidence([a3]) as never } as never);
    expect(strict.level).toBe('1e-5');
    expect((await api.identify({ probe: a3, level: '1e-3' })).level).toBe('1e-4');
    expect((await api.enroll.checkDuplicate({ templates: [a3], level: '1e-3' })).level).toBe('1e-4');
  });

  it('a replayed attempt is refused and counted; a challenge is single-use, per caller, and expires', async () => {
    const conn = service.gate.connect();
    const visitor = createClient(conn.dispatch);
    const before = (await api.events.list({ kind: 'verify', identityId: person })).length;
    const { challenge } = await visitor.attempt.challenge();
    const args = { identityId: person, challenge, evidence: loginEvidence([a3]) } as never;
    expect((await visitor.login(args)).accepted).toBe(true);
    // Identical evidence, verbatim, again: refused, and logged as a failed attempt against Ada.
    await expect(visitor.login(args)).rejects.toMatchObject({ code: 'forbidden', message: /not current/ });
    const after = await api.events.list({ kind: 'verify', identityId: person });
    expect(after.length).toBe(before + 2);
    expect(after[0]).toMatchObject({ decision: 'reject', detail: { reason: 'stale-challenge' } });
    // Another caller's challenge is no use here, nor a made-up one.
    const other = (await createClient(service.gate.connect().dispatch).attempt.challenge()).challenge;
    await expect(visitor.login({ identityId: person, challenge: other, evidence: loginEvidence([a3]) } as never)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(visitor.checkins.visit({ challenge: 'A'.repeat(24), evidence: visitEvidence([a3]) as never })).rejects.toMatchObject({ code: 'forbidden' });
    // Expiry on the monotonic clock.
    let now = 0;
    const access = new Access(() => 60_000, () => now);
    const caller = access.connect();
    const late = access.issueChallenge(caller).challenge;
    now = CHALLENGE_MS + 1;
    expect(access.consumeChallenge(caller, late)).toMatch(/not current/);
    const fresh = access.issueChallenge(caller).challenge;
    expect(access.consumeChallenge(caller, fresh)).toBeNull();
    expect(access.consumeChallenge(caller, fresh)).toMatch(/not current/);
  });

  it('login attempts beyond the rate are refused and counted against the person claimed', async () => {
    const visitor = createClient(withChallenges(service.gate.connect().dispatch));
    const failuresBefore = (await api.events.list({ kind: 'verify', identityId: person })).filter((e) => e.detail.reason === 'rate-limited').length;
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++) {
      outcomes.push(await visitor.login({ identityId: person, evidence: loginEvidence([b1]) } as never).then((v) => v.reason, (e: { code: string }) => e.code));
    }
    expect(outcomes.slice(0, 5)).toEqual(['no-match', 'no-match', 'no-match', 'no-match', 'no-match']);
    expect(outcomes.slice(5)).toEqual(['rate-limited', 'rate-limited']);
    const limited = (await api.events.list({ kind: 'verify', identityId: person })).filter((e) => e.detail.reason === 'rate-limited');
    expect(limited.length).toBe(failuresBefore + 2);
    // Another screen is not slowed down by this one.
    const elsewhere = createClient(withChallenges(service.gate.connect().dispatch));
    expect((await elsewhere.login({ identityId: person, evidence: loginEvidence([a3]) } as never)).accepted).toBe(true);
  });

  it('operator sign-ins are throttled per screen and lock the operator after the failures Settings allow', async () => {
    await api.settings.set({ lockoutAttempts: 3, lockoutMinutes: 5 });
    await api.operators.add({ name: 'Bob Operator', passphrase: 'bob operator passphrase' });
    const tries: string[] = [];
    for (let i = 0; i < 3; i++) {
      const screen = createClient(service.gate.connect().dispatch);
      tries.push(await screen.operators.signIn({ name: 'Bob Operator', passphrase: `wrong ${i} passphrase` }).then(() => 'in', (e: { message: string }) => e.message));
    }
    expect(tries[0]).toMatch(/2 attempts left/);
    expect(tries[2]).toMatch(/Bob Operator is locked for 5 min/);
    const right = createClient(service.gate.connect().dispatch);
    await expect(right.operators.signIn({ name: 'Bob Operator', passphrase: 'bob operator passphrase' })).rejects.toMatchObject({ code: 'locked' });
    // One screen trying fast is cut off by the rate limit before the passphrase is even checked.
    const fast = createClient(service.gate.connect().dispatch);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await fast.operators.signIn({ name: 'Nobody', passphrase: 'guess number ' + i }).then(() => 'in', (e: { code: string }) => e.code));
    expect(codes).toEqual(['forbidden', 'forbidden', 'forbidden', 'rate-limited', 'rate-limited']);
    const signIns = (await api.events.list({ kind: 'operator', limit: 50 })).filter((e) => e.detail.action === 'sign-in');
    expect(signIns.filter((e) => e.decision === 'reject').length).toBeGreaterThanOrEqual(5);
    expect(signIns.some((e) => e.decision === 'locked')).toBe(true);
    await api.settings.set({ lockoutAttempts: 50 });
  });

  it('a session ends after the idle time, on sign-out and with its connection; the last operator cannot be removed', async () => {
    let now = 0;
    const access = new Access(() => 5 * 60_000, () => now);
    const caller = access.connect();
    access.signIn(caller, { id: 'o', name: 'O' });
    now = 4 * 60_000;
    expect(access.operatorOf(caller)).not.toBeNull();
    now = 8.9 * 60_000;
    expect(access.operatorOf(caller)).not.toBeNull();
    now = 14 * 60_000;
    expect(access.operatorOf(caller)).toBeNull();
    access.signIn(caller, { id: 'o', name: 'O' });
    access.disconnect(caller);
    expect(access.operatorOf(caller)).toBeNull();

    const operators = await api.operators.list();
    for (const o of operators.filter((x) => x.name !== TEST_OPERATOR.name)) await api.operators.remove({ id: o.id });
    const [last] = await api.operators.list();
    await expect(api.operators.remove({ id: last!.id })).rejects.toMatchObject({ code: 'conflict', message: /last operator cannot be removed/ });
  });

  it('the kiosk: starting it ends the session and locks every screen to visits; leaving needs a sign-in; managing calls are logged with the operator', async () => {
    const conn = service.gate.connect();
    const desk = createClient(withChallenges(conn.dispatch));
    await desk.operators.signIn(TEST_OPERATOR);
    const started = await desk.kiosk.start();
    expect(started).toMatchObject({ kiosk: true, operator: null });
    expect(service.kioskLocked()).toBe(true);
    // Every operator session ends with it, another window's too.
    await expect(api.settings.get()).rejects.toMatchObject({ code: 'forbidden' });
    await expect(desk.settings.set({ checkinLiveness: 'off' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(desk.kiosk.leave()).rejects.toMatchObject({ code: 'forbidden' });
    // A visit is what the kiosk may do.
    expect((await desk.checkins.visit({ evidence: visitEvidence([a3]) as never } as never)).outcome).toMatch(/greeting|repeat/);
    // A reload or a new socket is still the kiosk.
    expect((await createClient(service.gate.connect().dispatch).session.status()).kiosk).toBe(true);
    await desk.operators.signIn(TEST_OPERATOR);
    expect((await desk.kiosk.leave()).kiosk).toBe(false);
    const manual = await desk.checkins.manual({ identityId: person });
    expect(manual.identityId).toBe(person);
    ({ api } = await clientsOf(service));
    const logged = await api.events.list({ kind: 'operator', limit: 20 });
    expect(logged.find((e) => e.detail.action === 'kiosk.start')).toMatchObject({ detail: { operator: TEST_OPERATOR.name } });
    expect(logged.find((e) => e.detail.action === 'checkins.manual')).toMatchObject({ detail: { operator: TEST_OPERATOR.name, target: person } });
    const checkin = (await api.events.list({ kind: 'checkin', limit: 1 }))[0];
    expect(checkin).toMatchObject({ identityId: person, detail: { manual: true, operator: TEST_OPERATOR.name } });
  });
});

describe('rights: faces, folder owners and a database that cannot open', () => {
  it('an operator tied to an enrolled face signs in with the passphrase and that face, never the face alone', async () => {
    const dir = tempDataDir('rights-face');
    const { service, api } = await openApp(dir, writeCalibration(dir));
    try {
      const [a1, a2, a3] = personTemplates(41, 3) as [Float32Array, Float32Array, Float32Array];
      const [b1] = personTemplates(42, 1) as [Float32Array];
      const ada = await api.identities.create({ name: 'Ada', templates: [a1, a2].map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'photo' as const })) });
      await api.operators.add({ name: 'Ada Operator', passphrase: 'ada operator passphrase', faceIdentityId: ada.id });
      const screen = createClient(withChallenges(service.gate.connect().dispatch));
      const challenge = async () => (await screen.attempt.challenge()).challenge;
      await expect(screen.operators.signIn({ name: 'Ada Operator', passphrase: 'ada operator passphrase' })).rejects.toMatchObject({ code: 'forbidden', message: /their face/ });
      // The right face without the passphrase, and the passphrase with someone else's face: refused.
      await expect(screen.operators.signIn({ name: 'Ada Operator', passphrase: 'wrong', challenge: await challenge(), evidence: loginEvidence([a3]) as never })).rejects.toMatchObject({ code: 'forbidden' });
      // (Another screen: three sign-ins in a row is this one's burst.)
      const next = createClient(withChallenges(service.gate.connect().dispatch));
      const nextChallenge = async () => (await next.attempt.challenge()).challenge;
      await expect(next.operators.signIn({ name: 'Ada Operator', passphrase: 'ada operator passphrase', challenge: await nextChallenge(), evidence: loginEvidence([b1]) as never })).rejects.toMatchObject({ code: 'forbidden', message: /face did not match/ });
      const inside = await next.operators.signIn({ name: 'Ada Operator', passphrase: 'ada operator passphrase', challenge: await nextChallenge(), evidence: loginEvidence([a3]) as never });
      expect(inside.operator?.name).toBe('Ada Operator');
    } finally {
      service.close();
    }
  });

  it('the command line is the operator only for the user who owns the data folder', async () => {
    const access = new Access(() => 60_000);
    const mine = mkdtempSync(join(tmpdir(), 'normface-owner-'));
    expect(access.operatorOf(access.connectAsFolderOwner(mine))?.name).toMatch(/owner of the data folder/);
    if (process.getuid?.() === 0) {
      // Root testing as another user would: a folder owned by someone else gives no operator session.
      const theirs = mkdtempSync(join(tmpdir(), 'normface-other-'));
      chownSync(theirs, 65534, 65534);
      expect(access.operatorOf(access.connectAsFolderOwner(theirs))).toBeNull();
    }
    expect(access.operatorOf(access.connectAsFolderOwner(join(mine, 'does-not-exist')))).toBeNull();
  });

  it('while the database cannot be opened, an operator of the backup on offer signs in and restores it; nobody else can', async () => {
    const dir = tempDataDir('rights-restore');
    const calibration = writeCalibration(dir);
    const { service, api } = await openApp(dir, calibration);
    await api.identities.create({ name: 'Kept', templates: personTemplates(51, 2).map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'photo' as const })) });
    const backup = await api.backup.create();
    service.close();
    const fd = openSync(join(dir, 'normface.db'), 'r+');
    writeSync(fd, Buffer.alloc(100, 0x42), 0, 100, 0);
    closeSync(fd);
    const reopened = await createAppService(appDeps(dir, calibration));
    try {
      expect(reopened.storeState().state).toBe('unavailable');
      const screen = createClient(reopened.gate.connect().dispatch);
      // The screen learns that the database is unavailable, why, and which backup is on offer (nobody can sign in to ask).
      const told = await screen.app.info({});
      expect(told).toMatchObject({ store: { state: 'unavailable', latestBackup: { name: backup.name } }, keyCustody: null, storeProblems: [] });
      await expect(screen.backup.restore({ name: backup.name })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(screen.operators.signIn({ name: TEST_OPERATOR.name, passphrase: 'not it at all' })).rejects.toMatchObject({ code: 'forbidden' });
      await screen.operators.signIn(TEST_OPERATOR);
      expect((await screen.app.info({})).keyCustody).not.toBeNull();
      expect((await screen.backup.restore({ name: backup.name })).identities).toBe(1);
      expect(reopened.storeState().state).toBe('ok');
    } finally {
      reopened.close();
    }
  });
});
