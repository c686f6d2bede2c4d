// Shared by the contract, host, fuzz and e2e tests: a temp data folder with its own calibration, and
// synthetic unit templates clustered per person (real LFW embeddings replace them in the e2e test).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '../../core/contract/api';
import { l2normalise } from '../../core/hypersphere';
import { readAbout } from '../../electron/services/app/about';
import { calibrationFile } from '../../electron/services/app/calibration';
import { Access } from '../../electron/services/app/access';
import { createGate, type Connection, type Dispatch, type Gate, type Handlers } from '../../electron/services/app/dispatch';
import { createAppService, type AppDeps, type AppService } from '../../electron/services/app/service';
import { fileKeyring } from '../../electron/services/store/index';
import { seededRandom } from '../../native-train/prng';
import { repoRoot } from './shared';

export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `normface-${prefix}-`));
}

/** A calibration file shaped like models/calibration.json, with round thresholds. */
export function writeCalibration(dir: string): string {
  const path = join(dir, 'calibration.json');
  writeFileSync(path, JSON.stringify({ modelId: 'test', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 }, fnmr: { '1e-3': 0.01, '1e-4': 0.02, '1e-5': 0.05 } }));
  return path;
}

/** `count` templates of one synthetic person: a random centre plus small noise (cosine about 0.9). */
export function personTemplates(seed: number, count: number): Float32Array[] {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centre = l2normalise(Float32Array.from({ length: 512 }, gauss));
  return Array.from({ length: count }, () => l2normalise(centre.map((c) => c + 0.02 * gauss())));
}

/** The operator the tests sign in as (created by the first sign-in on a fresh data folder, as a first start asks). */
export const TEST_OPERATOR = { name: 'Test Operator', passphrase: 'test operator passphrase' };

/** A new caller on the gate signed in as TEST_OPERATOR: operators.setup on a fresh folder, else operators.signIn. */
export async function operatorConnection(gate: Gate): Promise<Connection> {
  const c = gate.connect();
  const status = await c.dispatch('session.status', {});
  if (!status.ok) throw new Error(status.error.message);
  const signedIn = await c.dispatch((status.value as { needsSetup: boolean }).needsSetup ? 'operators.setup' : 'operators.signIn', TEST_OPERATOR);
  if (!signedIn.ok) throw new Error(`signing in as the test operator failed: ${signedIn.error.message}`);
  return c;
}

const ATTEMPTS = new Set(['verify', 'checkins.visit']);

/** As the screens do: a login attempt or a visit without a challenge first asks attempt.challenge for one. */
export function withChallenges(dispatch: Dispatch): Dispatch {
  return async (call, args) => {
    if (typeof call !== 'string' || !ATTEMPTS.has(call) || typeof args !== 'object' || args === null || 'challenge' in args) return dispatch(call, args);
    const issued = await dispatch('attempt.challenge', {});
    if (!issued.ok) return issued;
    return dispatch(call, { ...args, challenge: (issued.value as { challenge: string }).challenge });
  };
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
export function appDeps(dataDir: string, calibrationPath: string): AppDeps {
  const about = readAbout(repoRoot, join(repoRoot, 'models'));
  return {
    dataDir,
    keyring: fileKeyring(join(dataDir, 'normface.key')),
    calibration: calibrationFile(calibrationPath),
    training: null,
    about: { name: about.name, version: about.version, host: 'browser', models: about.models, backendHint: 'wasm' },
    modelId: about.embedderModelId,
    log: () => {},
  };
}

/** The app's service on a data folder, as the browser host opens it (its 0600 key file), with a typed operator client over it. */
export async function openApp(dataDir: string, calibrationPath: string): Promise<{ service: AppService; api: Client; publicApi: Client }> {
  const service = await createAppService(appDeps(dataDir, calibrationPath));
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
