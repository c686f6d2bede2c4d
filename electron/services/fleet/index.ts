// The fleet as the app's service sees it: the contract's fleet.* handlers and the sync that runs
// beside them. The service hands it its store and is told when people changed (see service.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError, type FleetStatus } from '../../../core/contract/api';
import type { Handlers } from '../app/dispatch';
import type { FleetEventBody, JsonObject, Store } from '../store/index';
import { fleetKeys, fleetPlace, keyCheck, keyFits, openFor, openJoinCode, sealFor, sealJoinCode, verifyDeskChain } from './crypto';
import { configOf, DeskSync, deskConnection, reasonOf, SETTLE_MS, type DeskConfig, type FleetDeps } from './desk';
import { FleetDb } from './postgres';

export type { FleetDeps } from './desk';
export { DeskSync } from './desk';

type FleetHandlers = Pick<Handlers, 'fleet.status' | 'fleet.create' | 'fleet.invite' | 'fleet.join' | 'fleet.leave' | 'fleet.removeDesk' | 'fleet.sync'>;

export interface Fleet {
  handlers: FleetHandlers;
  /** A local call may have changed something: send it soon. */
  nudge(): void;
  syncNow(): Promise<void>;
  /** Every desk's event chain in the fleet log, checked with the fleet key. */
  verifyChains(): Promise<{ deskId: string; intact: boolean; entries: number; message: string | null }[]>;
  /** The fleet's one event log, opened: each desk's events with their number in that desk's chain. */
  events(): Promise<{ id: string; deskId: string; deskSeq: number; body: FleetEventBody | null }[]>;
  close(): Promise<void>;
}

const roleOf = (deskId: string): string => `nf_desk_${deskId.replace(/-/g, '')}`;

function refused(message: string): ApiError {
  return new ApiError({ code: 'conflict', message });
}

async function withDb<T>(connection: Parameters<typeof FleetDb.connect>[0], work: (db: FleetDb) => Promise<T>): Promise<T> {
  let db: FleetDb;
  try {
    db = await FleetDb.connect(connection);
  } catch (error) {
    throw new ApiError({ code: 'unavailable', message: reasonOf(error) });
  }
  try {
    return await work(db);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError({ code: 'unavailable', message: reasonOf(error) });
  } finally {
    await db.close();
  }
}

export function createFleet(deps: FleetDeps): Fleet {
  const sync = new DeskSync(deps);
  const store = (): Store => deps.store();

  function member(): { deskId: string; fleetId: string; config: DeskConfig } {
    const m = store().fleet.membership();
    if (m === null) throw refused('This desk is not in a fleet: create one or join one first.');
    return { deskId: m.deskId, fleetId: m.fleetId, config: configOf(m) };
  }

  async function status(): Promise<FleetStatus> {
    const s = store();
    const m = s.fleet.membership();
    const w = s.fleet.waiting();
    const base: FleetStatus = {
      member: m !== null, fleetId: m?.fleetId ?? null, deskId: m?.deskId ?? null, label: m ? configOf(m).label : null,
      connected: sync.connected, canManage: m !== null && configOf(m).admin !== undefined, waiting: w.notes + w.outbox,
      lastContact: m?.lastContact ?? null, lastError: m?.lastError ?? null,
      setAside: w.setAside.map(({ ref, reason, at }) => ({ ref, reason, at })), desks: [],
    };
    const db = sync.db;
    if (m === null || db === null) return base;
    const keys = fleetKeys(Buffer.from(configOf(m).fleetKey, 'base64'));
    try {
      base.desks = (await db.desks()).map((d) => ({
        id: d.id, label: openFor(keys, fleetPlace.deskLabel(d.id), d.sealedLabel)?.toString('utf8') ?? '(label does not open)',
        joinedAt: d.joinedAt, lastContact: d.lastContact, removedAt: d.removedAt, thisDesk: d.id === m.deskId,
      }));
    } catch (error) {
      deps.log('normface: the fleet desks could not be listed', error);
    }
    return base;
  }

  /** Waits for one sync so the answer shows where the desk stands. */
  async function settled(): Promise<FleetStatus> {
    await sync.syncNow();
    return status();
  }

  const handlers: FleetHandlers = {
    'fleet.status': () => status(),
    'fleet.create': async ({ connection, label }) => {
      if (store().fleet.membership()) throw refused('This desk is already in a fleet; leave it before creating another.');
      const fleetId = randomUUID();
      const deskId = randomUUID();
      const fleetKey = randomBytes(32);
      const keys = fleetKeys(fleetKey);
      const password = randomBytes(24).toString('base64url');
      await withDb(connection, async (db) => {
        await db.migrate();
        await db.createFleet(fleetId, keyCheck(keys, fleetId), deps.now());
        await db.addDesk(deskId, roleOf(deskId), password, sealFor(keys, fleetPlace.deskLabel(deskId), Buffer.from(label)), deps.now());
      });
      const config: DeskConfig = { connection, role: roleOf(deskId), password, fleetKey: fleetKey.toString('base64'), label, admin: connection };
      store().fleet.join({ fleetId, deskId, config: config as unknown as JsonObject });
      return settled();
    },
    'fleet.invite': async ({ label, passphrase }) => {
      const m = member();
      if (!m.config.admin) throw refused('Only the desk that created the fleet can invite desks.');
      const deskId = randomUUID();
      const password = randomBytes(24).toString('base64url');
      const keys = fleetKeys(Buffer.from(m.config.fleetKey, 'base64'));
      await withDb(m.config.admin, (db) => db.addDesk(deskId, roleOf(deskId), password, sealFor(keys, fleetPlace.deskLabel(deskId), Buffer.from(label)), deps.now()));
      const joinCode = await sealJoinCode({ fleetId: m.fleetId, deskId, role: roleOf(deskId), password, fleetKey: m.config.fleetKey }, passphrase);
      return { deskId, joinCode };
    },
    'fleet.join': async ({ connection, joinCode, passphrase }) => {
      if (store().fleet.membership()) throw refused('This desk is already in a fleet; leave it before joining another.');
      let secret;
      try {
        secret = await openJoinCode(joinCode, passphrase);
      } catch (error) {
        throw new ApiError({ code: 'invalid-arguments', message: error instanceof Error ? error.message : String(error) });
      }
      const keys = fleetKeys(Buffer.from(secret.fleetKey, 'base64'));
      let label = '';
      await withDb(deskConnection(connection, secret.role, secret.password), async (db) => {
        const fleet = await db.fleet();
        if (!fleet || fleet.id !== secret.fleetId) throw refused('That database holds another fleet (or none): check the connection string.');
        if (!keyFits(keys, fleet.id, fleet.keyCheck)) throw refused('The join code\'s fleet key does not fit this fleet: ask for a new join code.');
        const me = (await db.desks()).find((d) => d.id === secret.deskId);
        label = (me && openFor(keys, fleetPlace.deskLabel(me.id), me.sealedLabel)?.toString('utf8')) ?? 'desk';
      });
      const config: DeskConfig = { connection, role: secret.role, password: secret.password, fleetKey: secret.fleetKey, label };
      store().fleet.join({ fleetId: secret.fleetId, deskId: secret.deskId, config: config as unknown as JsonObject });
      return settled();
    },
    'fleet.leave': async () => {
      member();
      // The sync in flight ends first, on its live connection: ended under it, it could hang, or
      // write this fleet's rows after the membership is gone.
      await sync.pause(SETTLE_MS);
      try {
        store().fleet.leave();
        await sync.disconnect();
      } finally {
        sync.resume();
      }
      return status();
    },
    'fleet.removeDesk': async ({ deskId }) => {
      const m = member();
      if (!m.config.admin) throw refused('Only the desk that created the fleet can remove desks.');
      if (deskId === m.deskId) throw refused('This is the desk you are using: leave the fleet instead.');
      await withDb(m.config.admin, async (db) => {
        try {
          await db.removeDesk(deskId, deps.now());
        } catch (error) {
          throw refused(error instanceof Error ? error.message : String(error));
        }
      });
      return settled();
    },
    'fleet.sync': () => settled(),
  };

  return {
    handlers,
    nudge: () => {
      // Cheap when not a member: the sync reads one row and stops.
      sync.kick();
    },
    syncNow: () => sync.syncNow(),
    async verifyChains() {
      const m = member();
      const keys = fleetKeys(Buffer.from(m.config.fleetKey, 'base64'));
      return withDb(deskConnection(m.config.connection, m.config.role, m.config.password), async (db) => {
        const out = [];
        for (const d of await db.desks()) out.push({ deskId: d.id, ...verifyDeskChain(keys, d.id, await db.eventsOf(d.id)) });
        return out;
      });
    },
    async events() {
      const m = member();
      const keys = fleetKeys(Buffer.from(m.config.fleetKey, 'base64'));
      return withDb(deskConnection(m.config.connection, m.config.role, m.config.password), async (db) => {
        const out = [];
        for (const d of await db.desks()) {
          for (const e of await db.eventsOf(d.id)) {
            const plain = openFor(keys, fleetPlace.event(e.deskId, e.deskSeq, e.id), e.sealed);
            out.push({ id: e.id, deskId: e.deskId, deskSeq: e.deskSeq, body: plain === null ? null : (JSON.parse(plain.toString('utf8')) as FleetEventBody) });
          }
        }
        return out;
      });
    },
    close: () => sync.close(),
  };
}
