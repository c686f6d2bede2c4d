// One desk's life in a fleet: it turns the notes its store's triggers leave into sealed outbox rows,
// sends them (once: PostgreSQL refuses a second copy by id, version or the desk's own chain number),
// then pulls what other desks changed since its cursor, opens and checks each row, and applies it to
// its SQLite in one transaction with the cursor. It listens (LISTEN/NOTIFY) and polls as a fallback;
// while PostgreSQL is down it keeps working on what it holds and tries again at the next poll.
import { randomUUID } from 'node:crypto';
import type { Store, FleetMembership, FleetPerson, FleetSealer, IncomingPerson, OutboxRow } from '../store/index';
import { encodePerson, decodePerson } from './wire';
import { eventMac, fleetKeys, fleetPlace, openFor, sealFor, type FleetKeys } from './crypto';
import { EventNumberingError, FleetDb, type PersonRow } from './postgres';
import { parse } from 'pg-connection-string';
import type { ClientConfig } from 'pg';

/** What a desk keeps (sealed under its own database key) about its fleet. */
export interface DeskConfig {
  /** The fleet database, as the operator typed it; the desk logs in with its own role below. */
  connection: string;
  role: string;
  password: string;
  /** The fleet key, base64. */
  fleetKey: string;
  label: string;
  /** Only on the desk that created the fleet: the administrator's connection (invites, removals). */
  admin?: string;
}

export interface FleetDeps {
  store(): Store;
  /** People changed by the fleet, as now enrolled here (null: deleted): the host updates its matcher and names. */
  applied(changed: readonly { id: string; person: FleetPerson | null }[]): void;
  now(): number;
  log(message: string, error: unknown): void;
  /** Poll period when no notification comes (ms). */
  pollMs?: number;
}

const BATCH = 500;

export function configOf(m: FleetMembership): DeskConfig {
  return m.config as unknown as DeskConfig;
}

/** The fleet database reached as `role` (the connection's own user and password are replaced). */
export function deskConnection(connection: string, role: string, password: string): ClientConfig {
  const c = parse(connection);
  return {
    host: c.host ?? undefined, port: c.port ? Number(c.port) : undefined, database: c.database ?? undefined,
    user: role, password, ssl: c.ssl as ClientConfig['ssl'],
  };
}

/** A sentence for the Fleet screen from whatever PostgreSQL or the network said. */
export function reasonOf(error: unknown): string {
  if (error instanceof EventNumberingError) return error.message;
  const e = error as { message?: string; code?: string };
  const text = e?.message ?? String(error);
  if (/not permitted to log in|password authentication failed|role .* does not exist/.test(text)) {
    return 'The fleet refused this desk\'s login: it was removed from the fleet (or its login changed). Leave the fleet, and join again with a new join code.';
  }
  if (/ECONNREFUSED|ENOENT|timeout|terminat|Connection terminated|the database system is (shutting down|starting up)/i.test(text) || e?.code === '57P01') {
    return `The fleet database cannot be reached (${text}); this desk keeps working and sends its changes when it returns.`;
  }
  return `The fleet database answered with an error: ${text}.`;
}

/** How long leaving or closing waits for the sync in flight before it ends the connection under it. */
export const SETTLE_MS = 10_000;

export class DeskSync {
  private work: FleetDb | null = null;
  private listener: FleetDb | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  /** Set while the desk leaves: no sync starts, the one running ends on its own connection. */
  private paused = false;
  private touched = 0;
  lastError: string | null = null;

  constructor(private readonly deps: FleetDeps) {
    this.timer = setInterval(() => this.kick(), deps.pollMs ?? 5000);
    this.timer.unref?.();
  }

  get connected(): boolean {
    return this.work !== null;
  }

  /** The open connection, for status and management reads; null while unreachable. */
  get db(): FleetDb | null {
    return this.work;
  }

  /** Starts a sync now, or once more after the one running. */
  kick(): void {
    if (this.closed || this.paused) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.syncOnce();
      } while (this.again && !this.closed && !this.paused);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Runs a whole sync and waits for it (tests, "Sync now"). */
  async syncNow(): Promise<void> {
    while (this.running) await this.running;
    this.kick();
    while (this.running) await this.running;
  }

  /**
   * Lets the sync in flight finish and starts no other until resume(): its connection must not be
   * ended under it (node-postgres may never settle a query whose client is ended, and close() would
   * wait for that sync for ever). Waits `ms` at most, for a server that stopped answering.
   */
  async pause(ms: number): Promise<void> {
    this.paused = true;
    await this.settle(ms);
  }

  resume(): void {
    this.paused = false;
  }

  private async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.running && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.running, new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    const [w, l] = [this.work, this.listener];
    this.work = null;
    this.listener = null;
    await Promise.all([w?.close(), l?.close()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.settle(SETTLE_MS);
    await this.disconnect();
  }

  private async connect(m: FleetMembership): Promise<FleetDb> {
    if (this.work) return this.work;
    const c = configOf(m);
    const target = deskConnection(c.connection, c.role, c.password);
    const work = await FleetDb.connect(target);
    const listener = await FleetDb.connect(target).catch(async (error: unknown) => {
      await work.close();
      throw error;
    });
    const lost = (): void => {
      if (this.work === work) void this.disconnect();
    };
    work.onEnd(lost);
    listener.onEnd(lost);
    await listener.listen(() => this.kick());
    this.work = work;
    this.listener = listener;
    return work;
  }

  private sealer(m: FleetMembership, keys: FleetKeys): FleetSealer {
    return {
      newId: () => randomUUID(),
      person: (id, version, changeId, person) => (person === null ? null : sealFor(keys, fleetPlace.person(id, version, changeId), encodePerson(person))),
      event: (deskSeq, eventId, at, body, previous) => {
        const sealed = sealFor(keys, fleetPlace.event(m.deskId, deskSeq, eventId), Buffer.from(JSON.stringify(body), 'utf8'));
        return { sealed, mac: eventMac(keys, previous, { deskId: m.deskId, deskSeq, id: eventId, at, sealed }) };
      },
    };
  }

  /** Opens and checks one row from the fleet; a row that fails is set aside with the reason. */
  incoming(keys: FleetKeys, row: PersonRow): IncomingPerson {
    if (row.deleted) return { id: row.id, seq: row.seq, version: row.version, deleted: true };
    const plain = row.sealed === null ? null : openFor(keys, fleetPlace.person(row.id, row.version, row.changeId), row.sealed);
    if (plain === null) return { id: row.id, seq: row.seq, setAside: `Person ${row.id} (version ${row.version}) from desk ${row.deskId} does not open under the fleet key: it was changed outside the app.` };
    const person = decodePerson(row.id, plain);
    if (typeof person === 'string') return { id: row.id, seq: row.seq, setAside: `Person ${row.id} (version ${row.version}) from desk ${row.deskId} was set aside: ${person}.` };
    return { id: row.id, seq: row.seq, version: row.version, deleted: false, person };
  }

  private async syncOnce(): Promise<void> {
    let store: Store;
    let m: FleetMembership | null;
    try {
      store = this.deps.store();
      m = store.fleet.membership();
    } catch {
      return;
    }
    if (m === null) {
      await this.disconnect();
      return;
    }
    const keys = fleetKeys(Buffer.from(configOf(m).fleetKey, 'base64'));
    try {
      while (store.fleet.prepareOutbox(this.sealer(m, keys), BATCH) > 0) { /* until every note is an outbox row */ }
      const db = await this.connect(m);
      await this.push(store, db, m, keys);
      await this.pull(store, db, keys);
      // The desks list shows each desk's last contact; a push notes it, a desk that only reads says so now and then.
      if (this.deps.now() - this.touched > 30_000) {
        await db.touch(m.deskId, this.deps.now());
        this.touched = this.deps.now();
      }
      store.fleet.recordContact(this.deps.now(), null);
      this.lastError = null;
    } catch (error) {
      this.lastError = reasonOf(error);
      try {
        store.fleet.recordContact(null, this.lastError);
      } catch {
        // The store closed under us; the next sync says so.
      }
      await this.disconnect();
    }
  }

  private async push(store: Store, db: FleetDb, m: FleetMembership, keys: FleetKeys): Promise<void> {
    for (;;) {
      const rows = store.fleet.outbox(BATCH);
      if (rows.length === 0) return;
      const people = rows.filter((r) => r.kind === 'person');
      const outcomes = await db.push({
        people: people.map((r) => ({ id: r.ref, version: r.version ?? 1, deleted: r.deleted, modelId: r.modelId, changeId: r.changeId, deskId: m.deskId, updatedAt: r.at, sealed: r.sealed })),
        events: rows.filter((r) => r.kind === 'event').map((r) => ({ id: r.changeId, deskId: m.deskId, deskSeq: r.deskSeq ?? 0, at: r.at, sealed: r.sealed!, mac: r.mac! })),
        lockouts: rows.filter((r) => r.kind === 'lockout').map((r) => ({ identityId: r.ref, failures: r.failures ?? 0, lockedUntil: r.lockedUntil, deskId: m.deskId })),
      }, m.deskId, this.deps.now());
      const lost = people.filter((_, i) => outcomes[i] === 'lost');
      store.fleet.sent(rows[rows.length - 1]!.seq, this.deps.now());
      if (lost.length > 0) await this.takeTheirs(store, db, keys, lost);
    }
  }

  /** Another desk's change reached the server first (or the person was deleted): this desk takes it. */
  private async takeTheirs(store: Store, db: FleetDb, keys: FleetKeys, lost: readonly OutboxRow[]): Promise<void> {
    const incoming: IncomingPerson[] = [];
    for (const r of lost) {
      const row = await db.person(r.ref);
      if (row) incoming.push(this.incoming(keys, row));
    }
    this.apply(store, incoming, null, true);
    this.deps.log(`normface: ${lost.length} change(s) from this desk lost to a change made at the same time elsewhere (the first to reach the fleet wins)`, null);
  }

  private apply(store: Store, incoming: IncomingPerson[], cursor: number | null, force = false): void {
    const changed = new Set(store.fleet.applyPeople(incoming, cursor, force));
    if (changed.size === 0) return;
    const people = new Map<string, FleetPerson | null>();
    for (const item of incoming) if (changed.has(item.id) && !('setAside' in item)) people.set(item.id, item.deleted ? null : item.person);
    this.deps.applied([...people].map(([id, person]) => ({ id, person })));
  }

  private async pull(store: Store, db: FleetDb, keys: FleetKeys): Promise<void> {
    for (;;) {
      const cursor = store.fleet.membership()?.peopleCursor ?? 0;
      const rows = await db.peopleAfter(cursor, BATCH);
      if (rows.length === 0) break;
      this.apply(store, rows.map((r) => this.incoming(keys, r)), rows[rows.length - 1]!.seq);
    }
    for (;;) {
      const cursor = store.fleet.membership()?.lockoutsCursor ?? 0;
      const rows = await db.lockoutsAfter(cursor, BATCH);
      if (rows.length === 0) break;
      store.fleet.applyLockouts(rows.map((r) => ({ identityId: r.identityId, failures: r.failures, lockedUntil: r.lockedUntil })), rows[rows.length - 1]!.seq);
    }
  }
}
