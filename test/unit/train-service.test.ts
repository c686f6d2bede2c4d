// TrainingService over a real SQLite store and a real worker thread: a run, progress with held-out
// figures, cancellation, the accept gate, rollback, and a process killed mid-run.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyring, openStore, type NewTemplate, type Store } from '../../electron/services/store/index';
import { TrainingService, type TrainingEvent } from '../../electron/services/training/service';
import { defaultProtocolSettings, type ProtocolSettings } from '../../native-train/protocol';
import { syntheticIdentities } from '../../native-train/synthetic';
import { repoRoot } from '../support/shared';
import { tempDir } from '../support/store-fixtures';

const DIM = 512;
const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()?.(); });

function enrolledStore(identities = 12, perIdentity = 8): { store: Store; dir: string } {
  const tmp = tempDir('train');
  const store = openStore({ dir: tmp.dir, keyring: fileKeyring(`${tmp.dir}/key`), autoBackup: false });
  cleanups.push(() => { try { store.close(); } catch { /* already closed by the test */ } tmp.remove(); });
  const { identities: people } = syntheticIdentities({ identities, perIdentity, dim: DIM, noise: 0.06, seed: 4 });
  people.forEach((list, i) => store.createIdentity({
    name: `person ${i}`,
    templates: list.map((vector): NewTemplate => ({ modelId: 'fr_feature', vector, quality: {}, source: 'camera' })),
  }));
  return { store, dir: tmp.dir };
}

const quick: ProtocolSettings = { ...defaultProtocolSettings, measureEvery: 5, train: { ...defaultProtocolSettings.train, epochs: 10 } };

describe('TrainingService', () => {
  it('runs in a worker, reports progress with held-out figures, and stores the run with its agents', async () => {
    const { store } = enrolledStore();
    const service = new TrainingService(store, { settings: quick });
    const events: TrainingEvent[] = [];
    service.on((e) => events.push(e));
    const started = service.start({ loss: 'softmax+contrastive' });
    expect(started.state).toBe('running');
    expect(() => service.start({})).toThrow(/already in progress/);
    await service.whenIdle();
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.type === 'progress' && e.progress.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const measured = progress.filter((e) => e.type === 'progress' && e.progress.heldOut !== null);
    expect(measured).toHaveLength(2);
    const finished = events.at(-1);
    expect(finished?.type).toBe('finished');
    const run = service.status()!;
    expect(run.id).toBe(started.id);
    expect(run.metrics.heldOut).toBe(12 * 2);
    expect(run.message).toMatch(/rank-1 .* FNIR/);
    if (run.metrics.gatePassed === 1) {
      expect(run.state).toBe('accepted');
      const active = store.activeAgents()!;
      expect(active.run.id).toBe(run.id);
      expect(active.agents).toHaveLength(12);
      for (const a of active.agents) expect(Math.hypot(...a.vector)).toBeCloseTo(1, 4);
      expect(service.rollback()).toEqual({ activeRunId: null });
      expect(store.activeAgents()).toBeNull();
      expect(service.accept(run.id).state).toBe('accepted');
    } else {
      expect(run.state).toBe('done');
      expect(() => service.accept(run.id)).toThrow(/worse/);
    }
  });

  it('cancels at the next step and leaves the agents in force alone', async () => {
    const { store } = enrolledStore();
    const long: ProtocolSettings = { ...quick, train: { ...quick.train, epochs: 100_000, maxSeconds: 120 } };
    const service = new TrainingService(store, { settings: long });
    const before = store.activeAgents();
    const firstStep = new Promise<void>((resolve) => service.on((e) => { if (e.type === 'progress') resolve(); }));
    service.start({});
    await firstStep;
    const run = await service.cancel();
    expect(run?.state).toBe('cancelled');
    expect(run?.message).toMatch(/cancelled at step \d+/);
    expect(store.activeAgents()).toEqual(before);
    expect(store.listRuns()[0]?.agentCount).toBe(0);
    expect(() => service.accept(run!.id)).toThrow(/cannot be used/);
  });

  it('a process killed mid-run leaves the previous agents in force and no half-written run', async () => {
    const { store, dir } = enrolledStore(6, 6);
    // A previous accepted run, its agents in force.
    const ids = store.listIdentities().map((i) => i.id);
    const previous = store.createRun({ previous: true });
    const vectors = syntheticIdentities({ identities: ids.length, perIdentity: 1, dim: DIM, noise: 0, seed: 9 }).identities;
    store.finishRun(previous.id, { status: 'accepted', metrics: { gatePassed: 1 }, agents: ids.map((identityId, i) => ({ identityId, vector: vectors[i]![0]! })) });
    store.close();

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/unit/train-crash-child.ts', dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const runId = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /training (\S+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before training: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const reopened = openStore({ dir, keyring: fileKeyring(`${dir}/key`), autoBackup: false });
    cleanups.push(() => reopened.close());
    expect(reopened.activeAgents()?.run.id).toBe(previous.id);
    const killed = reopened.listRuns().find((r) => r.id === runId)!;
    expect(killed.status).toBe('running');
    expect(killed.agentCount).toBe(0);
    // The next service marks it failed, saying why; the agents in force are still the previous ones.
    const service = new TrainingService(reopened);
    const view = service.runs().find((r) => r.id === runId)!;
    expect(view.state).toBe('failed');
    expect(view.message).toMatch(/app closed/);
    expect(reopened.activeAgents()?.run.id).toBe(previous.id);
  });
});
