// Shared by the contract, host, fuzz and e2e tests: a temp data folder with its own calibration, and
// synthetic unit templates clustered per person (real LFW embeddings replace them in the e2e test).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '../../core/contract/api';
import { readAbout } from '../../electron/services/app/about';
import { calibrationFile } from '../../electron/services/app/calibration';
import { createDispatcher } from '../../electron/services/app/dispatch';
import { createAppService, type AppService } from '../../electron/services/app/service';
import { fileKeyring } from '../../electron/services/store/index';
import { repoRoot } from './shared';

export { personTemplates } from './person-templates';

export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `normface-${prefix}-`));
}

/** A calibration file shaped like models/calibration.json, with round thresholds. */
export function writeCalibration(dir: string): string {
  const path = join(dir, 'calibration.json');
  writeFileSync(path, JSON.stringify({ modelId: 'test', thresholds: { '1e-3': 0.3, '1e-4': 0.4, '1e-5': 0.5 }, fnmr: { '1e-3': 0.01, '1e-4': 0.02, '1e-5': 0.05 } }));
  return path;
}

/** The app's service on a data folder, as the browser host opens it (its 0600 key file), with a typed client over it. */
export async function openApp(dataDir: string, calibrationPath: string, options: { fleet?: { pollMs?: number } | false } = {}): Promise<{ service: AppService; api: Client }> {
  const about = readAbout(repoRoot, join(repoRoot, 'models'));
  const service = await createAppService({
    dataDir,
    keyring: fileKeyring(join(dataDir, 'normface.key')),
    calibration: calibrationFile(calibrationPath),
    training: null,
    about: { name: about.name, version: about.version, host: 'browser', models: about.models, backendHint: 'wasm' },
    modelId: about.embedderModelId,
    log: () => {},
    fleet: options.fleet,
  });
  const dispatch = createDispatcher(service.handlers, () => {});
  return { service, api: createClient((call, args) => dispatch(call, args)) };
}
