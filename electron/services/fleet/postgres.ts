// The fleet's shared store: the only module that writes PostgreSQL SQL. PostgreSQL holds ids, times,
// versions, the face model's id and ciphertext sealed under the fleet key; it never sees that key.
// Every write takes one transaction-scoped advisory lock before drawing from fleet_seq, so rows commit
// in seq order and a desk that reads "seq > cursor" can never skip a row committed late.
import pg from 'pg';

const WRITE_LOCK = 7_210_023;
export const CHANNEL = 'normface_fleet';

/** Numbered steps of the fleet schema, applied in order, each in its own transaction. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE SEQUENCE fleet_seq;
      CREATE TABLE fleet (id text PRIMARY KEY, created_at bigint NOT NULL, key_check bytea NOT NULL);
      CREATE TABLE desks (
        id text PRIMARY KEY, role text NOT NULL UNIQUE, sealed_label bytea NOT NULL,
        joined_at bigint NOT NULL, last_contact bigint, removed_at bigint);
      CREATE TABLE people (
        id text PRIMARY KEY, version bigint NOT NULL, deleted boolean NOT NULL, model_id text,
        change_id text NOT NULL, desk_id text NOT NULL, updated_at bigint NOT NULL, sealed bytea, seq bigint NOT NULL);
      CREATE INDEX people_by_seq ON people (seq);
      CREATE TABLE events (
        id text PRIMARY KEY, desk_id text NOT NULL, desk_seq bigint NOT NULL, at bigint NOT NULL,
        sealed bytea NOT NULL, mac bytea NOT NULL, seq bigint NOT NULL, UNIQUE (desk_id, desk_seq));
      CREATE INDEX events_by_seq ON events (seq);
      CREATE TABLE lockouts (
        identity_id text PRIMARY KEY, failures integer NOT NULL, locked_until bigint, desk_id text NOT NULL, seq bigint NOT NULL);
      CREATE INDEX lockouts_by_seq ON lockouts (seq);
    `,
  },
];
export const FLEET_SCHEMA_VERSION = MIGRATIONS.length;

export interface PersonRow {
  id: string;
  version: number;
  deleted: boolean;
  modelId: string | null;
  changeId: string;
  deskId: string;
  updatedAt: number;
  sealed: Buffer | null;
  seq: number;
}
export interface EventRow {
  id: string;
  deskId: string;
  deskSeq: number;
  at: number;
  sealed: Buffer;
  mac: Buffer;
  seq: number;
}
export interface LockoutRow {
  identityId: string;
  failures: number;
  lockedUntil: number | null;
  deskId: string;
  seq: number;
}
export interface DeskRow {
  id: string;
  role: string;
  sealedLabel: Buffer;
  joinedAt: number;
  lastContact: number | null;
  removedAt: number | null;
}
export type PushOutcome = 'applied' | 'already' | 'lost';

/** The desk's event numbers went back (its database was restored from a backup): nothing is sent, nothing lost. */
export class EventNumberingError extends Error {
  constructor() {
    super('This desk\'s event log went back to an earlier state (a backup was restored?), so its new events would reuse numbers the fleet already holds and are not sent (they stay in this desk\'s own log). Leave the fleet and join again with a new join code to carry on syncing.');
  }
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** One connection to the fleet database (a desk's own role, or the administrator's). */
export class FleetDb {
  private constructor(private readonly client: pg.Client) {}

  static async connect(connection: string | pg.ClientConfig): Promise<FleetDb> {
    const client = new pg.Client(typeof connection === 'string' ? { connectionString: connection, connectionTimeoutMillis: 3000 } : { connectionTimeoutMillis: 3000, ...connection });
    // A dropped connection is reported by the next query; an unhandled 'error' would end the process.
    client.on('error', () => {});
    await client.connect();
    return new FleetDb(client);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }

  private async inTransaction<T>(work: () => Promise<T>, lock = true): Promise<T> {
    await this.client.query('BEGIN');
    try {
      if (lock) await this.client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const out = await work();
      await this.client.query(`NOTIFY ${CHANNEL}`);
      await this.client.query('COMMIT');
      return out;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** Brings the schema up to date (administrator). */
  async migrate(): Promise<number[]> {
    await this.client.query('CREATE TABLE IF NOT EXISTS fleet_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied: number[] = [];
    for (const step of MIGRATIONS) {
      await this.inTransaction(async () => {
        const done = await this.client.query('SELECT 1 FROM fleet_schema WHERE version = $1 FOR UPDATE', [step.version]);
        if (done.rowCount) return;
        await this.client.query(step.sql);
        await this.client.query('INSERT INTO fleet_schema (version) VALUES ($1)', [step.version]);
        applied.push(step.version);
      });
    }
    return applied;
  }

  async createFleet(fleetId: string, keyCheck: Buffer, at: number): Promise<void> {
    await this.inTransaction(async () => {
      const existing = await this.client.query('SELECT id FROM fleet');
      if (existing.rowCount) throw new Error('This database already holds a fleet: join it with a join code instead of creating a new one.');
      await this.client.query('INSERT INTO fleet (id, created_at, key_check) VALUES ($1, $2, $3)', [fleetId, at, keyCheck]);
    });
  }

  async fleet(): Promise<{ id: string; keyCheck: Buffer } | null> {
    const r = await this.client.query('SELECT id, key_check FROM fleet LIMIT 1');
    const row = r.rows[0] as { id: string; key_check: Buffer } | undefined;
    return row ? { id: row.id, keyCheck: row.key_check } : null;
  }

  /** Administrator: a login role for one desk, allowed to read the fleet and add its own rows, and its row. */
  async addDesk(deskId: string, role: string, password: string, sealedLabel: Buffer, at: number): Promise<void> {
    const ident = this.client.escapeIdentifier(role);
    await this.client.query(`CREATE ROLE ${ident} LOGIN PASSWORD ${this.client.escapeLiteral(password)}`);
    await this.client.query(`GRANT CONNECT ON DATABASE ${this.client.escapeIdentifier(this.client.database ?? 'postgres')} TO ${ident}`);
    await this.client.query(`GRANT SELECT ON fleet, desks, people, events, lockouts, fleet_schema TO ${ident}`);
    await this.client.query(`GRANT INSERT, UPDATE ON people, events, lockouts TO ${ident}`);
    await this.client.query(`GRANT UPDATE (last_contact) ON desks TO ${ident}`);
    await this.client.query(`GRANT USAGE ON SEQUENCE fleet_seq TO ${ident}`);
    await this.inTransaction(async () => {
      await this.client.query('INSERT INTO desks (id, role, sealed_label, joined_at) VALUES ($1, $2, $3, $4)', [deskId, role, sealedLabel, at]);
    }, false);
  }

  /** Administrator: the desk can no longer log in, and its open connections are ended now. */
  async removeDesk(deskId: string, at: number): Promise<void> {
    const r = await this.client.query('UPDATE desks SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL RETURNING role', [deskId, at]);
    const role = (r.rows[0] as { role: string } | undefined)?.role;
    if (!role) throw new Error('That desk is not in the fleet (it may have been removed already).');
    await this.client.query(`ALTER ROLE ${this.client.escapeIdentifier(role)} NOLOGIN`);
    await this.client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  }

  async desks(): Promise<DeskRow[]> {
    const r = await this.client.query('SELECT id, role, sealed_label, joined_at, last_contact, removed_at FROM desks ORDER BY joined_at');
    return (r.rows as Record<string, unknown>[]).map((x) => ({
      id: x['id'] as string, role: x['role'] as string, sealedLabel: x['sealed_label'] as Buffer,
      joinedAt: num(x['joined_at']), lastContact: numOrNull(x['last_contact']), removedAt: numOrNull(x['removed_at']),
    }));
  }

  async touch(deskId: string, at: number): Promise<void> {
    await this.client.query('UPDATE desks SET last_contact = $2 WHERE id = $1', [deskId, at]);
  }

  /**
   * Sends a batch of the desk's changes in one transaction. People: a version must beat the stored one,
   * and a tombstone is final (no edit, however new, revives it; a deletion wins over any edit). Events
   * and lockouts are idempotent by id. Returns each person's outcome in order.
   */
  async push(batch: { people: Omit<PersonRow, 'seq'>[]; events: Omit<EventRow, 'seq'>[]; lockouts: Omit<LockoutRow, 'seq'>[] }, deskId: string, at: number): Promise<PushOutcome[]> {
    return this.inTransaction(async () => {
      const outcomes: PushOutcome[] = [];
      for (const p of batch.people) {
        const r = await this.client.query(
          `INSERT INTO people AS p (id, version, deleted, model_id, change_id, desk_id, updated_at, sealed, seq)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nextval('fleet_seq'))
           ON CONFLICT (id) DO UPDATE SET version = greatest(p.version + 1, excluded.version), deleted = excluded.deleted,
             model_id = excluded.model_id, change_id = excluded.change_id, desk_id = excluded.desk_id,
             updated_at = excluded.updated_at, sealed = excluded.sealed, seq = excluded.seq
           WHERE NOT p.deleted AND (excluded.deleted OR p.version < excluded.version)
           RETURNING seq`,
          [p.id, p.version, p.deleted, p.modelId, p.changeId, p.deskId, p.updatedAt, p.sealed],
        );
        if (r.rowCount) {
          outcomes.push('applied');
          continue;
        }
        const now = await this.client.query('SELECT change_id FROM people WHERE id = $1', [p.id]);
        outcomes.push((now.rows[0] as { change_id: string } | undefined)?.change_id === p.changeId ? 'already' : 'lost');
      }
      for (const e of batch.events) {
        const r = await this.client.query(
          `INSERT INTO events (id, desk_id, desk_seq, at, sealed, mac, seq) VALUES ($1, $2, $3, $4, $5, $6, nextval('fleet_seq'))
           ON CONFLICT DO NOTHING RETURNING id`,
          [e.id, e.deskId, e.deskSeq, e.at, e.sealed, e.mac],
        );
        if (r.rowCount) continue;
        const same = await this.client.query('SELECT 1 FROM events WHERE id = $1 AND desk_id = $2 AND desk_seq = $3', [e.id, e.deskId, e.deskSeq]);
        // Sent before (a retry after a crash): fine. Another event under this desk's number: its numbering went back.
        if (!same.rowCount) throw new EventNumberingError();
      }
      for (const l of batch.lockouts) {
        // A success anywhere clears the count; otherwise the larger count and the later lock win.
        await this.client.query(
          `INSERT INTO lockouts AS l (identity_id, failures, locked_until, desk_id, seq) VALUES ($1, $2, $3, $4, nextval('fleet_seq'))
           ON CONFLICT (identity_id) DO UPDATE SET
             failures = CASE WHEN excluded.failures = 0 AND excluded.locked_until IS NULL THEN 0 ELSE greatest(l.failures, excluded.failures) END,
             locked_until = CASE WHEN excluded.failures = 0 AND excluded.locked_until IS NULL THEN NULL
                                 ELSE nullif(greatest(coalesce(l.locked_until, 0), coalesce(excluded.locked_until, 0)), 0) END,
             desk_id = excluded.desk_id, seq = excluded.seq`,
          [l.identityId, l.failures, l.lockedUntil, l.deskId],
        );
      }
      await this.client.query('UPDATE desks SET last_contact = $2 WHERE id = $1', [deskId, at]);
      return outcomes;
    });
  }

  async peopleAfter(seq: number, limit: number): Promise<PersonRow[]> {
    const r = await this.client.query('SELECT * FROM people WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
    return (r.rows as Record<string, unknown>[]).map(personRow);
  }

  async person(id: string): Promise<PersonRow | null> {
    const r = await this.client.query('SELECT * FROM people WHERE id = $1', [id]);
    const row = r.rows[0] as Record<string, unknown> | undefined;
    return row ? personRow(row) : null;
  }

  async eventsAfter(seq: number, limit: number): Promise<EventRow[]> {
    const r = await this.client.query('SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
    return (r.rows as Record<string, unknown>[]).map(eventRow);
  }

  /** One desk's events in its own order, for checking its MAC chain. */
  async eventsOf(deskId: string): Promise<EventRow[]> {
    const r = await this.client.query('SELECT * FROM events WHERE desk_id = $1 ORDER BY desk_seq', [deskId]);
    return (r.rows as Record<string, unknown>[]).map(eventRow);
  }

  async lockoutsAfter(seq: number, limit: number): Promise<LockoutRow[]> {
    const r = await this.client.query('SELECT * FROM lockouts WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
    return (r.rows as Record<string, unknown>[]).map((x) => ({
      identityId: x['identity_id'] as string, failures: num(x['failures']), lockedUntil: numOrNull(x['locked_until']), deskId: x['desk_id'] as string, seq: num(x['seq']),
    }));
  }

  async counts(): Promise<{ people: number; tombstones: number; events: number }> {
    const r = await this.client.query('SELECT (SELECT count(*) FROM people WHERE NOT deleted) AS people, (SELECT count(*) FROM people WHERE deleted) AS tombstones, (SELECT count(*) FROM events) AS events');
    const x = r.rows[0] as Record<string, unknown>;
    return { people: num(x['people']), tombstones: num(x['tombstones']), events: num(x['events']) };
  }

  /** Calls `onChange` on every commit by any desk; resolves once listening. */
  async listen(onChange: () => void): Promise<void> {
    this.client.on('notification', () => onChange());
    await this.client.query(`LISTEN ${CHANNEL}`);
  }

  onEnd(handler: () => void): void {
    this.client.on('end', handler);
    this.client.on('error', handler);
  }
}

function personRow(x: Record<string, unknown>): PersonRow {
  return {
    id: x['id'] as string, version: num(x['version']), deleted: x['deleted'] as boolean, modelId: (x['model_id'] as string | null) ?? null,
    changeId: x['change_id'] as string, deskId: x['desk_id'] as string, updatedAt: num(x['updated_at']), sealed: (x['sealed'] as Buffer | null) ?? null, seq: num(x['seq']),
  };
}

function eventRow(x: Record<string, unknown>): EventRow {
  return {
    id: x['id'] as string, deskId: x['desk_id'] as string, deskSeq: num(x['desk_seq']), at: num(x['at']),
    sealed: x['sealed'] as Buffer, mac: x['mac'] as Buffer, seq: num(x['seq']),
  };
}
