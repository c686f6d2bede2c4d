// kill -9 of a desk at 20 random moments while it checks people in, enrols and syncs with the fleet:
// afterwards every event it logged since joining is in the fleet log exactly once, every person it
// enrolled reached the other desk, and every desk's MAC chain verifies.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAbout } from '../../electron/services/app/about';
import { openApp, personTemplates, tempDataDir, writeCalibration } from '../support/apiFixtures';
import { bundleChild } from '../support/crash-child';
import { noPostgresReason, startPostgres, type TestPostgres } from '../support/postgres';
import { repoRoot, titled } from '../support/shared';
import { seededRandom } from '../support/store-fixtures';

const KILLS = 20;

describe.skipIf(noPostgresReason)(titled('fleet crash safety', noPostgresReason), () => {
  let pgServer: TestPostgres;
  const work = tempDataDir('fleet-crash');
  const child = join(work, 'fleet-crash-child.cjs');
  const deskOne = join(work, 'one');
  const deskTwo = join(work, 'two');
  let calibration: string;
  const modelId = readAbout(repoRoot, join(repoRoot, 'models')).embedderModelId;

  beforeAll(async () => {
    pgServer = startPostgres();
    calibration = writeCalibration(work);
    await bundleChild('test/support/fleet-crash-child.ts', child, ['pg-native', 'onnxruntime-web', 'onnxruntime-node']);
  }, 120_000);
  afterAll(() => {
    pgServer?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  function runAndKill(seed: number, delayMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, [child, deskTwo, calibration, modelId, String(seed)], {
        env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      let armed = false;
      proc.stdout.on('data', (chunk: Buffer) => {
        if (!armed && chunk.toString().includes('ready')) {
          armed = true;
          setTimeout(() => proc.kill('SIGKILL'), delayMs);
        }
      });
      proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      proc.on('error', reject);
      proc.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the desk ended by itself: ${err}`))));
    });
  }

  it(`${KILLS} SIGKILLs of a syncing desk lose nothing and send nothing twice`, async () => {
    const one = await openApp(deskOne, calibration, { fleet: { pollMs: 200 } });
    await one.api.fleet.create({ connection: pgServer.url, label: 'One' });
    await one.api.identities.create({ name: 'Regular', templates: personTemplates(1, 3).map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'camera' })) });
    const { joinCode } = await one.api.fleet.invite({ label: 'Two', passphrase: 'crash test passphrase' });
    const setup = await openApp(deskTwo, calibration, { fleet: { pollMs: 200 } });
    // What desk 2 logs from its joining on is the fleet's (the operator's join itself included).
    const firstEvent = Math.max(0, ...(await setup.api.events.list({ limit: 10_000 })).map((e) => Number(e.id))) + 1;
    await setup.api.fleet.join({ connection: pgServer.url, joinCode, passphrase: 'crash test passphrase' });
    const deskTwoId = (await setup.api.fleet.status()).deskId!;
    await setup.service.fleet.close();
    setup.service.close();

    const random = seededRandom(23);
    for (let kill = 1; kill <= KILLS; kill++) await runAndKill(kill, Math.floor(random() * 600));

    // Desk 2 once more, left to finish: then both sides must agree.
    const two = await openApp(deskTwo, calibration, { fleet: { pollMs: 200 } });
    await two.service.fleet.syncNow();
    expect(await two.api.fleet.status()).toMatchObject({ waiting: 0, lastError: null });
    const local = (await two.api.events.list({ limit: 10_000 })).map((e) => Number(e.id)).filter((id) => id >= firstEvent);
    const sent = (await one.service.fleet.events()).filter((e) => e.deskId === deskTwoId).map((e) => e.body!.localId);
    console.log(`fleet crash: ${KILLS} kills, ${local.length} events logged at desk 2, ${sent.length} in the fleet log, ${(await two.api.identities.list({})).length} people`);
    expect(new Set(sent).size).toBe(sent.length);
    expect([...sent].sort((a, b) => a - b)).toEqual([...local].sort((a, b) => a - b));
    await one.service.fleet.syncNow();
    const there = (await one.api.identities.list({})).map((p) => p.id).sort();
    expect((await two.api.identities.list({})).map((p) => p.id).sort()).toEqual(there);
    for (const chain of await one.service.fleet.verifyChains()) expect(chain, chain.message ?? '').toMatchObject({ intact: true });
    for (const d of [one, two]) {
      await d.service.fleet.close();
      d.service.close();
    }
  }, 600_000);
});
