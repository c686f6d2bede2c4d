// Several desks, one list of people (issue 23): desks are app services on their own data folders, the
// fleet a real PostgreSQL 15 on a private socket. Enrol, rename, delete and check-ins travel between
// desks; a deletion wins; PostgreSQL stopped and started again loses nothing and doubles nothing; a
// row that fails the contract's checks is set aside; a removed desk is refused at the server; and
// pg_dump holds no name, note, template float or thumbnail byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { DELETE_ALL_CONFIRMATION, type Client } from '../../core/contract/api';
import type { AppService } from '../../electron/services/app/service';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { noPostgresReason, startPostgres, type TestPostgres } from '../support/postgres';
import { titled } from '../support/shared';
import { visitEvidence } from '../support/visitEvidence';
import { visitFrom } from '../support/operator';
import { loginEvidence } from '../support/loginEvidence';
import { fleetKeys, fleetPlace, openJoinCode, sealFor } from '../../electron/services/fleet/crypto';
import { deskConnection } from '../../electron/services/fleet/desk';
import { FleetDb } from '../../electron/services/fleet/postgres';
import { encodePerson } from '../../electron/services/fleet/wire';

interface Desk {
  dir: string;
  service: AppService;
  api: Client;
}

const quality = { score: 0.9, sharpness: 0.8 };
// A tiny JPEG (SOI marker first), enough for the contract's thumbnail check.
const thumbnail = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('THUMBNAIL-BYTES-OF-FACE-0123456789'), Buffer.from([0xff, 0xd9])]);

async function waitFor(what: string, check: () => Promise<boolean> | boolean, limitMs = 20_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > limitMs) throw new Error(`${what} did not happen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(noPostgresReason)(titled('fleet through PostgreSQL', noPostgresReason), () => {
  let pgServer: TestPostgres;
  const desks: Desk[] = [];
  let calibration: string;

  async function openDesk(): Promise<Desk> {
    const dir = tempDataDir('fleet');
    const { service, api } = await openApp(dir, calibration, { fleet: { pollMs: 300 } });
    const desk = { dir, service, api };
    desks.push(desk);
    return desk;
  }

  /** The same desk started again (its fleet sync was closed, as a desk that was off). */
  async function reopen(desk: Desk): Promise<Desk> {
    desk.service.close();
    const again = { dir: desk.dir, ...(await openApp(desk.dir, calibration, { fleet: { pollMs: 300 } })) };
    desks.push(again);
    return again;
  }

  beforeAll(async () => {
    pgServer = startPostgres();
    calibration = writeCalibration(tempDataDir('fleet-cal'));
  }, 60_000);

  afterAll(async () => {
    for (const d of desks) {
      await d.service.fleet.close();
      d.service.close();
      rmSync(d.dir, { recursive: true, force: true });
    }
    pgServer?.destroy();
  });

  let one: Desk;
  let two: Desk;
  const alice = personTemplates(101, 3);

  it('creates a fleet at desk 1 and joins desk 2 with a join code', async () => {
    one = await openDesk();
    two = await openDesk();
    const created = await one.api.fleet.create({ connection: pgServer.url, label: 'Front door' });
    expect(created).toMatchObject({ member: true, canManage: true, connected: true, lastError: null });
    const { joinCode } = await one.api.fleet.invite({ label: 'Side door', passphrase: 'correct horse battery' });
    await expect(two.api.fleet.join({ connection: pgServer.url, joinCode, passphrase: 'wrong passphrase' })).rejects.toThrow(/passphrase does not open/);
    const joined = await two.api.fleet.join({ connection: pgServer.url, joinCode, passphrase: 'correct horse battery' });
    expect(joined).toMatchObject({ member: true, canManage: false, connected: true, label: 'Side door' });
    expect(joined.desks.map((d) => d.label).sort()).toEqual(['Front door', 'Side door']);
  }, 60_000);

  it('an enrolment at desk 1 is recognised at desk 2, a deletion at desk 2 is gone at desk 1', async () => {
    const created = await one.api.identities.create({ name: 'Alice Fleetwood', notes: 'NOTE-SECRET-42', templates: alice.map((v) => ({ vector: v, quality, source: 'camera', thumbnail })) });
    const arrived = await waitFor('Alice at desk 2', () => two.service.matcher.identityIds().includes(created.id));
    console.log(`fleet: enrolment at desk 1 known at desk 2 after ${arrived.toFixed(0)} ms`);
    const visit = await visitFrom(two.service.gate, { evidence: visitEvidence(personTemplates(101, 2)) });
    expect(visit.outcome).toBe('greeting');
    expect((await two.api.identities.get({ id: created.id })).notes).toBe('NOTE-SECRET-42');

    await two.api.identities.rename({ id: created.id, name: 'Alice Renamed' });
    await waitFor('the rename at desk 1', async () => (await one.api.identities.get({ id: created.id })).name === 'Alice Renamed');

    await two.api.identities.delete({ id: created.id });
    const gone = await waitFor('the deletion at desk 1', () => !one.service.matcher.identityIds().includes(created.id));
    console.log(`fleet: deletion at desk 2 gone at desk 1 after ${gone.toFixed(0)} ms`);
    await expect(one.api.identities.get({ id: created.id })).rejects.toThrow();
  }, 60_000);

  it('a deletion wins over a later edit of the same person elsewhere', async () => {
    const bob = await one.api.identities.create({ name: 'Bob Tombstone', templates: personTemplates(202, 2).map((v) => ({ vector: v, quality, source: 'camera' })) });
    await waitFor('Bob at desk 2', () => two.service.matcher.identityIds().includes(bob.id));
    // Desk 2 goes offline in effect: its edit is made while desk 1's deletion is already in PostgreSQL.
    await two.service.fleet.close();
    await one.api.identities.delete({ id: bob.id });
    await one.service.fleet.syncNow();
    await two.api.identities.rename({ id: bob.id, name: 'Bob Edited Late' });
    // A fresh sync at desk 2: its edit is refused, the tombstone applied.
    two = await reopen(two);
    await two.service.fleet.syncNow();
    await waitFor('the tombstone at desk 2', () => !two.service.matcher.identityIds().includes(bob.id));
    await one.service.fleet.syncNow();
    await expect(one.api.identities.get({ id: bob.id })).rejects.toThrow();
  }, 60_000);

  it('concurrent edits of one person: the first to reach PostgreSQL wins at every desk', async () => {
    const cy = await one.api.identities.create({ name: 'Cy Concurrent', templates: personTemplates(606, 2).map((v) => ({ vector: v, quality, source: 'camera' })) });
    await waitFor('Cy at desk 2', () => two.service.matcher.identityIds().includes(cy.id));
    await Promise.all([one.service.fleet.close(), two.service.fleet.close()]);
    await one.api.identities.rename({ id: cy.id, name: 'Cy from desk 1' });
    await two.api.identities.rename({ id: cy.id, name: 'Cy from desk 2' });
    two = await reopen(two);
    await two.service.fleet.syncNow();
    one = await reopen(one);
    await one.service.fleet.syncNow();
    await two.service.fleet.syncNow();
    expect((await one.api.identities.get({ id: cy.id })).name).toBe('Cy from desk 2');
    expect((await two.api.identities.get({ id: cy.id })).name).toBe('Cy from desk 2');
  }, 60_000);

  it('PostgreSQL stopped: 100 check-ins and one enrolment at desk 2 arrive once when it returns', async () => {
    const carol = await one.api.identities.create({ name: 'Carol Checkin', templates: personTemplates(303, 3).map((v) => ({ vector: v, quality, source: 'camera' })) });
    await waitFor('Carol at desk 2', () => two.service.matcher.identityIds().includes(carol.id));
    await two.service.fleet.syncNow();
    const checkinsOfTwo = async (): Promise<number[]> => {
      const deskTwo = (await two.api.fleet.status()).deskId;
      return (await one.service.fleet.events()).filter((e) => e.deskId === deskTwo && e.body?.kind === 'checkin').map((e) => e.body!.localId);
    };
    const before = (await checkinsOfTwo()).length;

    pgServer.stop();
    for (let i = 0; i < 100; i++) {
      const visit = await visitFrom(two.service.gate, { evidence: visitEvidence(personTemplates(303, 1)) });
      expect(visit.outcome === 'greeting' || visit.outcome === 'repeat').toBe(true);
    }
    const dave = await two.api.identities.create({ name: 'Dave Offline', templates: personTemplates(404, 2).map((v) => ({ vector: v, quality, source: 'camera' })) });
    await two.service.fleet.syncNow();
    const offline = await two.api.fleet.status();
    expect(offline.connected).toBe(false);
    expect(offline.lastError).toMatch(/cannot be reached/);
    expect(offline.waiting).toBeGreaterThanOrEqual(101);

    pgServer.start();
    await two.service.fleet.syncNow();
    expect((await two.api.fleet.status()).waiting).toBe(0);
    await waitFor('Dave at desk 1', () => one.service.matcher.identityIds().includes(dave.id));
    const after = await checkinsOfTwo();
    expect(after.length - before).toBe(100);
    expect(new Set(after).size).toBe(after.length);
    for (const chain of await one.service.fleet.verifyChains()) expect(chain).toMatchObject({ intact: true });
  }, 120_000);

  it('failed attempts count across desks and a lockout holds at every desk', async () => {
    const carol = (await one.api.identities.list({})).find((p) => p.name === 'Carol Checkin')!;
    const impostor = loginEvidence(personTemplates(999, 3)) as never;
    // The default policy locks after 5 failures: 3 at desk 1, then 2 at desk 2.
    for (let i = 0; i < 3; i++) expect((await one.api.login({ identityId: carol.id, evidence: impostor } as never)).accepted).toBe(false);
    await one.service.fleet.syncNow();
    await two.service.fleet.syncNow();
    for (let i = 0; i < 2; i++) await two.api.login({ identityId: carol.id, evidence: impostor } as never);
    const there = (await two.api.identities.get({ id: carol.id })).lockedUntil;
    expect(there).not.toBeNull();
    await two.service.fleet.syncNow();
    // Each desk states the lock's end from its own clock: the same end, to the second.
    await waitFor('the lockout at desk 1', async () => Math.abs(((await one.api.identities.get({ id: carol.id })).lockedUntil ?? 0) - there!) < 2_000);
  }, 60_000);

  it('a row that fails its checks is set aside and reported, never applied', async () => {
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    // A forged row: ciphertext that does not open under the fleet key.
    await admin.query(`INSERT INTO people (id, version, deleted, model_id, change_id, desk_id, updated_at, sealed, seq)
      VALUES ('forged-person', 1, false, 'x', 'c', 'd', 0, '\\x0102030405', nextval('fleet_seq'))`);
    await admin.query('NOTIFY normface_fleet');
    await admin.end();
    await waitFor('the forged row set aside', async () => (await two.api.fleet.status()).setAside.length > 0);
    const status = await two.api.fleet.status();
    expect(status.setAside[0]!.reason).toMatch(/does not open under the fleet key/);
    expect((await two.api.app.info()).storeProblems.map((p) => p.kind)).toContain('fleet-rows-set-aside');
    await expect(two.api.identities.get({ id: 'forged-person' })).rejects.toThrow();
    // A row sealed with the fleet key, by a desk of the fleet, whose template is not a unit vector: the contract's checks refuse it.
    const forger = await openJoinCode((await one.api.fleet.invite({ label: 'Forger', passphrase: 'forger passphrase' })).joinCode, 'forger passphrase');
    const keys = fleetKeys(Buffer.from(forger.fleetKey, 'base64'));
    const db = await FleetDb.connect(deskConnection(pgServer.url, forger.role, forger.password));
    const [bad] = personTemplates(707, 1).map((v) => v.map((x) => x * 3));
    const sealed = sealFor(keys, fleetPlace.person('forged-template', 1, 'c1'), encodePerson({
      id: 'forged-template', name: 'Forged', notes: '', createdAt: 0, updatedAt: 0,
      templates: [{ id: 't1', modelId: 'm', vector: bad!, quality: { score: 0.5 }, source: 'camera', thumbnail: null, createdAt: 0 }],
    }));
    await db.push({ people: [{ id: 'forged-template', version: 1, deleted: false, modelId: 'm', changeId: 'c1', deskId: forger.deskId, updatedAt: 0, sealed }], events: [], lockouts: [] }, forger.deskId, 0);
    await db.close();
    await waitFor('the forged template set aside', async () => (await two.api.fleet.status()).setAside.some((r) => r.ref === 'forged-template'));
    expect((await two.api.fleet.status()).setAside.find((r) => r.ref === 'forged-template')!.reason).toMatch(/contract's checks.*unit vector/);
    await expect(two.api.identities.get({ id: 'forged-template' })).rejects.toThrow();
    // The desk goes on syncing.
    const erin = await one.api.identities.create({ name: 'Erin After', templates: personTemplates(505, 2).map((v) => ({ vector: v, quality, source: 'camera' })) });
    await waitFor('Erin at desk 2', () => two.service.matcher.identityIds().includes(erin.id));
  }, 60_000);

  it('pg_dump of the fleet holds no name, note, template float or thumbnail byte', () => {
    const dump = pgServer.dump();
    for (const text of ['Alice', 'Fleetwood', 'Carol Checkin', 'Dave Offline', 'Erin After', 'NOTE-SECRET-42', 'Front door', 'Side door']) {
      expect(dump.includes(Buffer.from(text)), text).toBe(false);
    }
    expect(dump.includes(thumbnail.subarray(4, 20))).toBe(false);
    // Every template float, as its 4 little-endian bytes, searched in the dump (the text escapes bytea as hex too).
    const hex = dump.toString('latin1');
    let found = 0;
    for (const v of [...alice, ...personTemplates(303, 3), ...personTemplates(404, 2)]) {
      const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      for (let i = 0; i < 64; i += 4) {
        const four = bytes.subarray(i * 4, i * 4 + 4);
        if (hex.includes(four.toString('hex'))) found++;
      }
    }
    // Random ciphertext hex matches a given 8-hex-digit string about once in 4e9 positions: none expected.
    expect(found).toBe(0);
  });

  it('a removed desk is refused at the server', async () => {
    const three = await openDesk();
    const { joinCode, deskId } = await one.api.fleet.invite({ label: 'Back door', passphrase: 'another passphrase' });
    await three.api.fleet.join({ connection: pgServer.url, joinCode, passphrase: 'another passphrase' });
    const removed = await one.api.fleet.removeDesk({ deskId });
    expect(removed.desks.find((d) => d.id === deskId)?.removedAt).not.toBeNull();
    await three.service.fleet.syncNow();
    const status = await three.api.fleet.status();
    expect(status.connected).toBe(false);
    expect(status.lastError).toMatch(/removed from the fleet/);
  }, 60_000);

  it('a desk restored from a backup does not reuse its event numbers: it says so and sends nothing twice', async () => {
    await two.api.backup.create();
    const name = (await two.api.backup.list())[0]!.name;
    await visitFrom(two.service.gate, { evidence: visitEvidence(personTemplates(303, 1)) });
    await two.service.fleet.syncNow();
    await two.api.backup.restore({ name });
    await visitFrom(two.service.gate, { evidence: visitEvidence(personTemplates(303, 1)) });
    await two.service.fleet.syncNow();
    const status = await two.api.fleet.status();
    expect(status.lastError).toMatch(/went back to an earlier state/);
    expect(status.waiting).toBeGreaterThan(0);
    for (const chain of await one.service.fleet.verifyChains()) expect(chain).toMatchObject({ intact: true });
  }, 60_000);

  /** A new desk joined to desk 1's fleet, and a person enrolled at desk 1 once that desk has them. */
  async function joinedWithPerson(label: string, name: string, seed: number): Promise<{ desk: Desk; person: { id: string } }> {
    const desk = await openDesk();
    const { joinCode } = await one.api.fleet.invite({ label, passphrase: `${label} passphrase` });
    await desk.api.fleet.join({ connection: pgServer.url, joinCode, passphrase: `${label} passphrase` });
    const person = await one.api.identities.create({ name, templates: personTemplates(seed, 2).map((v) => ({ vector: v, quality, source: 'camera' as const })) });
    await waitFor(`${name} at ${label}`, () => desk.service.matcher.identityIds().includes(person.id));
    return { desk, person };
  }

  it('delete-all at a fleet desk is refused unless it says fleet-wide, and then every desk loses its people', async () => {
    const { desk: four, person: dora } = await joinedWithPerson('Desk four', 'Dora Fleet', 404);

    await expect(four.api.data.deleteAll({ confirm: DELETE_ALL_CONFIRMATION })).rejects.toMatchObject({ code: 'conflict', message: /every person at every desk/ });
    expect(four.service.matcher.identityIds()).toContain(dora.id);

    await four.api.data.deleteAll({ confirm: DELETE_ALL_CONFIRMATION, fleetWide: true });
    await waitFor('the fleet-wide erase at desk 1', () => !one.service.matcher.identityIds().includes(dora.id));
  }, 90_000);

  // Leaving used to end the connection under the sync in flight: node-postgres may never settle that
  // sync's query, and closing the desk then waited for it for ever.
  it('a desk that leaves while syncing stops its sync, closes promptly and then erases only itself', async () => {
    const { desk: five, person: erin } = await joinedWithPerson('Desk five', 'Erin Fleet', 505);
    // A sync is started (and kept asked for) as the desk leaves.
    for (let i = 0; i < 3; i++) five.service.fleet.nudge();
    const left = await five.api.fleet.leave({});
    expect(left).toMatchObject({ member: false });
    const closed = await Promise.race([five.service.fleet.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000))]);
    expect(closed).toBe('closed');
    // No longer a member: erasing this desk needs no fleet-wide consent and reaches no other desk.
    await five.api.data.deleteAll({ confirm: DELETE_ALL_CONFIRMATION });
    expect(five.service.matcher.identityIds()).toEqual([]);
    await one.service.fleet.syncNow();
    expect(one.service.matcher.identityIds()).toContain(erin.id);
  }, 90_000);
});
