// Shared by the contract, host, fuzz and e2e tests: a temp data folder with its own calibration, and
// synthetic unit templates clustered per person (real LFW embeddings replace them in the e2e test).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '../../core/contract/api';
import type { DecisionCalibration } from '../../core/matching/calibrationFile';
import { fitTail } from '../../core/matching/levels';
import { readAbout } from '../../electron/services/app/about';
import { calibrationFile } from '../../electron/services/app/calibration';
import { Access } from '../../electron/services/app/access';
import { createGate, type Dispatch, type Gate, type Handlers } from '../../electron/services/app/dispatch';
import { operatorConnection, withChallenges } from './operator';

export { operatorConnection, TEST_OPERATOR, withChallenges } from './operator';
import { createAppService, type AppDeps, type AppService } from '../../electron/services/app/service';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { seededRandom } from '../../native-train/prng';
import { repoRoot } from './shared';

import { personTemplates } from './person-templates';

export { personTemplates };

export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `normface-${prefix}-`));
}

/** A calibration file shaped like models/calibration.json, with round thresholds. */
export function writeCalibration(dir: string): string {
  const path = join(dir, 'calibration.json');
  writeFileSync(path, JSON.stringify({ modelId: 'test', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 }, fnmr: { '1e-3': 0.01, '1e-4': 0.02, '1e-5': 0.05 } }));
  return path;
}

/**
 * The test calibration with per-decision tails, as `npm run calibrate` writes them: impostor cosines
 * ~ N(0, 0.045) for one photo (a little wider for five fused), genuine best-template cosines ~ N(0.7, 0.1).
 */
export function writeDecisionCalibration(dir: string): string {
  const path = writeCalibration(dir);
  const rand = seededRandom(77);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const n = 200_000;
  const tail = (probes: number, sd: number) => fitTail(Float64Array.from({ length: n }, () => sd * gauss()).sort().reverse(), n, probes);
  const erf = (x: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return x < 0 ? -y : y;
  };
  const below = Array.from({ length: 101 }, (_, i) => 0.5 * (1 + erf((i * 0.01 - 0.7) / (0.1 * Math.SQRT2))));
  const genuine = [1, 5].flatMap((probes) => [1, 3].map((templates) => ({ probes, templates, attempts: 1000, people: 100, from: 0, step: 0.01, below })));
  const decisions: DecisionCalibration = { version: 1, impostor: [tail(1, 0.045), tail(5, 0.05)], genuine, provenance: { synthetic: true } };
  writeFileSync(path, JSON.stringify({ ...(JSON.parse(readFileSync(path, 'utf8')) as object), decisions }));
  return path;
}


/** An operator's dispatch on a host or service (what a signed-in window sends; attempts get their challenge). */
export async function operatorDispatch(host: { gate: Gate }): Promise<Dispatch> {
  return withChallenges((await operatorConnection(host.gate)).dispatch);
}

/** A typed client for an operator, and one for a person at the screen (public calls only); attempts get their challenge. */
export async function clientsOf(host: { gate: Gate }): Promise<{ api: Client; publicApi: Client }> {
  const op = withChallenges((await operatorConnection(host.gate)).dispatch);
  const visitor = withChallenges(host.gate.connect().dispatch);
  return { api: createClient((call, args) => op(call, args)), publicApi: createClient((call, args) => visitor(call, args)) };
}

/** What the browser host gives the service on a data folder (its 0600 key file), for tests that open it themselves. */
export function appDeps(dataDir: string, calibrationPath: string, options: { fleet?: { pollMs?: number } | false } = {}): AppDeps {
  const about = readAbout(repoRoot, join(repoRoot, 'models'));
  return {
    dataDir,
    keyring: fileKeyring(join(dataDir, 'normface.key')),
    calibration: calibrationFile(calibrationPath),
    training: null,
    about: { name: about.name, version: about.version, host: 'browser', models: about.models, backendHint: 'wasm' },
    modelId: about.embedderModelId,
    log: () => {},
    ...(options.fleet !== undefined ? { fleet: options.fleet } : {}),
  };
}

/** The app's service on a data folder, as the browser host opens it (its 0600 key file), with a typed operator client over it. */
export async function openApp(dataDir: string, calibrationPath: string, options: { fleet?: { pollMs?: number } | false } = {}): Promise<{ service: AppService; api: Client; publicApi: Client }> {
  const service = await createAppService(appDeps(dataDir, calibrationPath, options));
  return { service, ...(await clientsOf(service)) };
}

/** The real gate over stand-in handlers: an operator's connection (signed in as the gate's own operator) and a visitor's. */
export function gateOver(handlers: Handlers): { gate: Gate; operator: Dispatch; visitor: Dispatch } {
  const access = new Access(() => 5 * 60_000);
  const gate = createGate(handlers, access, { audit() {}, overRate() {} }, () => {});
  const op = gate.connect();
  access.signIn(op.caller, { id: 'op', name: 'Operator' });
  return { gate, operator: op.dispatch, visitor: gate.connect().dispatch };
}

/**
 * Enrols `count` synthetic people of three templates each into the (closed) data folder, straight
 * through the store (the service re-reads the gallery per enrolment), the first template with a JPEG
 * thumbnail: about 11 KB each in a bundle, so 400 make a bundle near the 5 MB the largest import
 * takes. One thumbnail for all: a bundle is not compressed, and a JPEG encode costs ~0.1 s under load.
 */
export function enrolCrowd(dataDir: string, count: number, thumbnail: Uint8Array): void {
  const store = openStore({ dir: dataDir, keyring: fileKeyring(join(dataDir, 'normface.key')), autoBackup: false });
  const modelId = readAbout(repoRoot, join(repoRoot, 'models')).embedderModelId;
  try {
    for (let i = 0; i < count; i++) {
      store.createIdentity({
        name: `Crowd ${i}`,
        templates: personTemplates(10_000 + i, 3).map((vector, t) => ({ modelId, vector, quality: { score: 0.9 }, source: 'photo' as const, thumbnail: t === 0 ? thumbnail : null })),
      });
    }
  } finally {
    store.close();
  }
}
