// Training through the browser host's dispatcher (the contract's training.* calls), over a real
// SQLite file and a real worker thread: start, watch until done, accept, identify by the agents,
// roll back to templates; and the refusals a person can get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, Identification, IdentitySummary, TrainingRun } from '../../core/contract/api';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host';
import { repoRoot } from '../support/shared';
import { operatorDispatch, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import type { Dispatch } from '../../electron/services/app/dispatch';

const PEOPLE = 10;
const PER_PERSON = 6;

describe('training through the browser host', () => {
  let host: BrowserHost;
  let dispatch: Dispatch;
  const people: { id: string; templates: Float32Array[] }[] = [];

  async function call<T>(name: string, args: unknown = {}): Promise<T> {
    const reply = (await dispatch(name, args)) as Envelope<T>;
    if (!reply.ok) throw new Error(`${name}: ${reply.error.code}: ${reply.error.message}`);
    return reply.value;
  }
  async function failure(name: string, args: unknown = {}): Promise<{ code: string; message: string }> {
    const reply = await dispatch(name, args);
    if (reply.ok) throw new Error(`${name} was expected to fail`);
    return reply.error;
  }
  async function enrol(name: string, templates: Float32Array[]): Promise<string> {
    const created = await call<IdentitySummary>('identities.create', {
      name, templates: templates.map((vector) => ({ vector, quality: { score: 0.9 }, source: 'photo' })),
    });
    return created.id;
  }
  async function finished(): Promise<TrainingRun> {
    for (;;) {
      const run = await call<TrainingRun | null>('training.status');
      if (run && run.state !== 'running') return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    const dir = tempDataDir('host-training');
    host = await startBrowserHost({ appRoot: repoRoot, dataDir: dir, calibrationPath: writeCalibration(dir), log: () => {} });
    dispatch = await operatorDispatch(host);
  });
  afterAll(async () => {
    await host?.close();
  });

  it('refuses to train fewer than two people, and to accept a run that does not exist', async () => {
    expect(await call('training.status')).toBeNull();
    expect(await call('training.runs')).toEqual([]);
    const templates = personTemplates(100, PER_PERSON);
    people.push({ id: await enrol('first', templates), templates });
    const alone = await failure('training.start', {});
    expect(alone.code).toBe('conflict');
    expect(alone.message).toMatch(/at least two/);
    const missing = await failure('training.accept', { runId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.code).toBe('not-found');
  });

  it('starts a run, reports it until done, and accept makes identify rank by the agents; rollback undoes it', async () => {
    for (let p = 1; p < PEOPLE; p++) {
      const templates = personTemplates(100 + p, PER_PERSON);
      people.push({ id: await enrol(`person ${p}`, templates), templates });
    }
    const [ada] = people;
    const probe = ada!.templates[0]!;
    const byTemplates = await call<Identification>('identify', { probe, k: 3 });
    expect(byTemplates.recognised?.identityId).toBe(ada!.id);
    expect(byTemplates.recognised!.score).toBeGreaterThan(0.9999); // the probe is one of Ada's templates

    const started = await call<TrainingRun>('training.start', { options: { loss: 'softmax+contrastive', epochs: 20 } });
    expect(started.state).toBe('running');
    expect((await failure('training.start', {})).code).toBe('conflict');
    const run = await finished();
    expect(run.id).toBe(started.id);
    expect(run.message).toMatch(/accepted: rank-1 .* FNIR/);
    expect(run.metrics.gatePassed).toBe(1);
    expect(run.state).toBe('done'); // the app waits for a person to accept
    expect(host.service.agents).toBeNull();

    const accepted = await call<TrainingRun>('training.accept', { runId: run.id });
    expect(accepted.state).toBe('accepted');
    expect(host.service.agents?.index.size).toBe(PEOPLE);
    expect(host.service.agents?.scale).toBe(run.metrics.scale);
    const byAgents = await call<Identification>('identify', { probe, k: 3 });
    expect(byAgents.recognised?.identityId).toBe(ada!.id);
    // The cosine to Ada's agent (about her mean), not to the template the probe is a copy of.
    expect(byAgents.recognised!.score).toBeLessThan(0.999);
    expect(byAgents.recognised!.score).toBeGreaterThan(0.9);

    // Someone enrolled after the run has no agent: ranked by their mean template, still found.
    const late = personTemplates(999, 3);
    const lateId = await enrol('late', late.slice(0, 2));
    expect(host.service.agents?.index.size).toBe(PEOPLE + 1);
    expect((await call<Identification>('identify', { probe: late[2], k: 1 })).recognised?.identityId).toBe(lateId);

    expect(await call('training.rollback')).toEqual({ activeRunId: null });
    expect(host.service.agents).toBeNull();
    expect((await call<Identification>('identify', { probe, k: 1 })).recognised!.score).toBeGreaterThan(0.9999);
    expect((await call<TrainingRun[]>('training.runs')).map((r) => r.state)).toEqual(['rolled-back']);
    expect((await failure('training.rollback')).code).toBe('conflict');
  });

  it('cancels a run in progress and keeps the agents in force', async () => {
    const [first] = await call<TrainingRun[]>('training.runs');
    await call('training.accept', { runId: first!.id }); // the rolled-back run, in force again
    const inForce = host.service.agents;
    expect(inForce?.index.size).toBe(PEOPLE + 1);
    await call('training.start', { options: { epochs: 1000 } });
    const cancelled = await call<TrainingRun>('training.cancel');
    expect(cancelled.state).toBe('cancelled');
    expect(host.service.agents).toBe(inForce);
    expect((await failure('training.accept', { runId: cancelled.id })).code).toBe('conflict');
  });
});
