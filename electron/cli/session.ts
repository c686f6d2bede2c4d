// The command line as a thin host: the same AppService (store, matcher, lockout, audit log) as the
// app, opened on the same data folder with the same key, and called through the same dispatcher, so
// every argument is checked by the contract and every decision is the back end's.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type Client } from '../../core/contract/api';
import type { FacePipeline } from '../../core/vision/pipeline';
import type { ModelName } from '../../core/vision/sessions';
import { readAbout } from '../services/app/about';
import { calibrationFile } from '../services/app/calibration';
import { defaultDataDir } from '../services/app/dataFolder';
import { createDispatcher } from '../services/app/dispatch';
import { createAppService, type AppService } from '../services/app/service';
import { fileKeyring, type Keyring } from '../services/store/index';
import { createHostPipeline } from '../services/vision/pipeline';
import { CliError } from './errors';

export interface SessionOptions {
  /** Where package.json and models/ are. */
  appRoot: string;
  /** --data; absent: the per-user folder the app uses. */
  dataDir?: string;
}

export interface Session {
  dataDir: string;
  client: Client;
  service: AppService;
  /** The face pipeline, loaded on first use with the models asked for. */
  pipeline(models?: readonly ModelName[]): Promise<FacePipeline>;
  close(): Promise<void>;
}

const KEY_FILE = 'normface.key';
const SEALED_KEY_FILE = 'normface.key.sealed';

/** Inside Electron (not as plain Node) the key is under safeStorage, in the app's own userData folder. */
async function electronKeyring(dataDir: string | undefined): Promise<{ dataDir: string; keyring: Keyring }> {
  const { app, safeStorage } = await import('electron');
  const { safeStorageKeyring } = await import('../main/keyring');
  await app.whenReady();
  const dir = dataDir ?? join(app.getPath('appData'), 'NormFace Desktop');
  return { dataDir: dir, keyring: safeStorageKeyring(join(dir, SEALED_KEY_FILE), safeStorage) };
}

function nodeKeyring(dataDir: string): Keyring {
  if (existsSync(join(dataDir, SEALED_KEY_FILE)) && !existsSync(join(dataDir, KEY_FILE))) {
    throw new CliError(
      `The key of ${dataDir} is sealed by the system keyring through the desktop app, which plain Node cannot open; run it through the app instead: NormFace Desktop --cli ... (on Linux: normface-desktop --cli verify NAME).`,
      'wrong_key',
    );
  }
  return fileKeyring(join(dataDir, KEY_FILE));
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const inElectron = process.versions['electron'] !== undefined && !process.env['ELECTRON_RUN_AS_NODE'];
  const { dataDir, keyring } = inElectron
    ? await electronKeyring(options.dataDir && resolve(options.dataDir))
    : { dataDir: resolve(options.dataDir ?? defaultDataDir()), keyring: nodeKeyring(resolve(options.dataDir ?? defaultDataDir())) };
  const modelsDir = join(options.appRoot, 'models');
  const about = readAbout(options.appRoot, modelsDir);
  const log = (message: string, error: unknown) => {
    process.stderr.write(`${message}: ${error instanceof Error ? error.message : String(error)}\n`);
  };
  const service = await createAppService({
    dataDir,
    keyring,
    calibration: calibrationFile(join(modelsDir, 'calibration.json')),
    training: null,
    // app.info knows two hosts; the command is a Node host like the browser one.
    about: { name: about.name, version: about.version, host: 'browser', models: about.models, backendHint: 'wasm' },
    modelId: about.embedderModelId,
    // The app syncs with the fleet; a login only leaves its events for the app to send.
    fleet: false,
    // The app backs the database up when it starts; a login must not copy it every time.
    autoBackup: false,
    log,
  });
  const state = service.storeState();
  if (state.state !== 'ok') {
    service.close();
    throw new CliError(`${state.message} Open the app to restore a backup.`, 'unavailable');
  }
  const dispatch = createDispatcher(service.handlers, log);
  const client = createClient((call, args) => dispatch(call, args));
  let pipeline: Promise<FacePipeline> | null = null;
  return {
    dataDir,
    client,
    service,
    pipeline(models = []) {
      // One WASM thread: a login runs beside whatever else the machine does, and onnxruntime's second
      // thread spins while it waits. Measured with bench:cli under load: less CPU and wall time to the
      // decision than two threads; on an idle machine two save about 20 ms per probe embedding.
      pipeline ??= createHostPipeline(modelsDir, { models, threads: 1 });
      return pipeline;
    },
    async close() {
      const p = pipeline;
      pipeline = null;
      if (p) await (await p.catch(() => null))?.release();
      service.close();
    },
  };
}
