// Training runs of native-train and the agents they produce. The active agents are those of the
// most recently accepted run; rolling back retires it, which makes the one accepted before active.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { appendEvent } from './events';
import { place, seal, unseal } from './seal';
import type { ActiveAgents, Agent, FinishedRun, JsonObject, TrainingOutcome, TrainingRunRow, TrainingStatus } from './types';
import { bytesToVector, checkVector, vectorToBytes } from './vector';

interface RunRow {
  id: string;
  version: number;
  settings: string;
  metrics: string | null;
  status: TrainingStatus;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  accepted_at: number | null;
  agent_count: number;
}

const RUN_COLUMNS = `r.*, (SELECT count(*) FROM agents a WHERE a.run_id = r.id) AS agent_count`;

function toRun(row: RunRow): TrainingRunRow {
  return {
    id: row.id,
    version: row.version,
    settings: JSON.parse(row.settings) as JsonObject,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as JsonObject),
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    acceptedAt: row.accepted_at,
    agentCount: row.agent_count,
  };
}

function checkObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StoreError('invalid', `${what} must be an object.`);
  return value as JsonObject;
}

function getRun(ctx: StoreContext, runId: string): TrainingRunRow {
  const row = ctx.db.prepare(`SELECT ${RUN_COLUMNS} FROM training_runs r WHERE r.id = ?`).get(runId) as RunRow | undefined;
  if (row === undefined) throw new StoreError('not_found', 'That training run no longer exists; refresh the list.');
  return toRun(row);
}

function logTraining(ctx: StoreContext, run: TrainingRunRow, action: string): void {
  appendEvent(ctx, {
    at: ctx.now(), kind: 'training', identityId: null, name: null, score: null, decision: null,
    details: { action, runId: run.id, version: run.version, status: run.status },
  });
}

export function createRun(ctx: StoreContext, settings: JsonObject): TrainingRunRow {
  const text = JSON.stringify(checkObject(settings, 'The training settings'));
  const id = randomUUID();
  return ctx.db.transaction(() => {
    const version = (ctx.db.prepare('SELECT coalesce(max(version), 0) + 1 FROM training_runs').pluck().get() as number);
    ctx.db.prepare(`INSERT INTO training_runs (id, version, settings, status, started_at) VALUES (?, ?, ?, 'running', ?)`)
      .run(id, version, text, ctx.now());
    const run = getRun(ctx, id);
    logTraining(ctx, run, 'start');
    return run;
  }).immediate();
}

/** Records the outcome, the metrics and the agents in one transaction with the status change. */
export function finishRun(ctx: StoreContext, runId: string, outcome: TrainingOutcome): FinishedRun {
  if (!['accepted', 'rejected', 'failed'].includes(outcome?.status)) throw new StoreError('invalid', 'A run finishes as accepted, rejected or failed.');
  const metrics = JSON.stringify(checkObject(outcome.metrics, 'The training metrics'));
  const agents: readonly Agent[] = outcome.status === 'failed' ? [] : outcome.agents;
  if (!Array.isArray(agents)) throw new StoreError('invalid', 'The agents must be a list.');
  const seen = new Set<string>();
  let dim: number | undefined;
  agents.forEach((agent, i) => {
    if (typeof agent?.identityId !== 'string') throw new StoreError('invalid', `Agent ${i + 1} does not name its identity.`);
    if (seen.has(agent.identityId)) throw new StoreError('invalid', `Two agents were given for identity ${agent.identityId}.`);
    seen.add(agent.identityId);
    checkVector(agent.vector, `The agent of identity ${agent.identityId}`, dim);
    dim = agent.vector.length;
  });
  return ctx.db.transaction(() => {
    const before = getRun(ctx, runId);
    if (before.status !== 'running') throw new StoreError('invalid', `Training run ${before.version} already finished (${before.status}).`);
    const exists = ctx.db.prepare('SELECT 1 FROM identities WHERE id = ?').pluck();
    const insert = ctx.db.prepare('INSERT INTO agents (run_id, identity_id, dim, vector) VALUES (?, ?, ?, ?)');
    const dropped: string[] = [];
    for (const agent of agents) {
      // The person may have been deleted while the run trained: their agent must not resurrect them.
      if (exists.get(agent.identityId) === undefined) {
        dropped.push(agent.identityId);
        continue;
      }
      insert.run(runId, agent.identityId, agent.vector.length, seal(ctx.key, place.agentVector(runId, agent.identityId), vectorToBytes(agent.vector)));
    }
    const now = ctx.now();
    ctx.db.prepare('UPDATE training_runs SET status = ?, metrics = ?, finished_at = ?, duration_ms = ?, accepted_at = ? WHERE id = ?')
      .run(outcome.status, metrics, now, now - before.startedAt, outcome.status === 'accepted' ? nextAcceptedAt(ctx, now) : null, runId);
    const run = getRun(ctx, runId);
    logTraining(ctx, run, 'finish');
    return { run, droppedIdentityIds: dropped };
  }).immediate();
}

export function listRuns(ctx: StoreContext): TrainingRunRow[] {
  return (ctx.db.prepare(`SELECT ${RUN_COLUMNS} FROM training_runs r ORDER BY r.version DESC`).all() as RunRow[]).map(toRun);
}

/** Strictly after every earlier acceptance, so "latest accepted" is never a tie within one millisecond. */
function nextAcceptedAt(ctx: StoreContext, now: number): number {
  const last = ctx.db.prepare('SELECT max(accepted_at) FROM training_runs').pluck().get() as number | null;
  return last === null ? now : Math.max(now, last + 1);
}

function activeRunRow(ctx: StoreContext): RunRow | undefined {
  return ctx.db.prepare(`SELECT ${RUN_COLUMNS} FROM training_runs r WHERE r.status = 'accepted' ORDER BY r.accepted_at DESC, r.version DESC LIMIT 1`)
    .get() as RunRow | undefined;
}

/** The agents of the active (latest accepted) run, or null when no run is active. */
export function activeAgents(ctx: StoreContext): ActiveAgents | null {
  const row = activeRunRow(ctx);
  if (row === undefined) return null;
  const rows = ctx.db.prepare('SELECT identity_id, dim, vector FROM agents WHERE run_id = ? ORDER BY rowid').all(row.id) as
    { identity_id: string; dim: number; vector: Buffer }[];
  const agents = rows.map((a) => {
    const plain = unseal(ctx.key, place.agentVector(row.id, a.identity_id), a.vector);
    const vector = plain === null ? null : bytesToVector(plain, a.dim);
    if (vector === null) throw new StoreError('corrupt', `The agent of identity ${a.identity_id} in training run ${row.version} is damaged. Roll back or retrain.`);
    return { identityId: a.identity_id, vector };
  });
  return { run: toRun(row), agents };
}

/** Makes a finished run active (again): a rejected or rolled-back run the person now prefers. */
export function acceptRun(ctx: StoreContext, runId: string): TrainingRunRow {
  return ctx.db.transaction(() => {
    const before = getRun(ctx, runId);
    if (before.status === 'running' || before.status === 'failed') {
      throw new StoreError('invalid', `Training run ${before.version} is ${before.status}; only a finished run with agents can be accepted.`);
    }
    ctx.db.prepare(`UPDATE training_runs SET status = 'accepted', accepted_at = ? WHERE id = ?`).run(nextAcceptedAt(ctx, ctx.now()), runId);
    const run = getRun(ctx, runId);
    logTraining(ctx, run, 'accept');
    return run;
  }).immediate();
}

/** Retires the active run; the previously accepted one (if any) becomes active. Returns it, or null. */
export function rollback(ctx: StoreContext): TrainingRunRow | null {
  return ctx.db.transaction(() => {
    const active = activeRunRow(ctx);
    if (active === undefined) throw new StoreError('invalid', 'There is no accepted training run to roll back.');
    ctx.db.prepare(`UPDATE training_runs SET status = 'rolled_back' WHERE id = ?`).run(active.id);
    logTraining(ctx, getRun(ctx, active.id), 'rollback');
    const now = activeRunRow(ctx);
    return now === undefined ? null : toRun(now);
  }).immediate();
}
