// The command line as a thin host: the same AppService (store, matcher, lockout, audit log) as the
// app, opened on the same data folder with the same key, and called through the same dispatcher, so
// every argument is checked by the contract and every decision is the back end's.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type Client } from '../../core/contract/api';
import type { FacePipeline } from '../../core/vision/pipeline';
import type { ModelName } from '../../core/vision/sessions';
import { defaultDataDir } from '../services/app/dataFolder';
import { startHostService } from '../services/app/hostService';
import type { AppService } from '../services/app/service';
import { fileKeyring, type Keyring } from '../services/store/index';
import { createHostPipeline, runtimeFromEnvironment } from '../services/vision/pipeline';
import { CliError } from './errors';
import { printable } from '../../core/contract/printable';
import { checkRootPath, runningAsRoot } from './rootSafety';

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
  const { safeStorageKeyring } = await import('../services/store/safeStorageKeyring');
  await app.whenReady();
  const dir = dataDir ?? join(app.getPath('appData'), 'NormFace Desktop');
  return { dataDir: dir, keyring: safeStorageKeyring(join(dir, SEALED_KEY_FILE), safeStorage) };
}

/**
 * Run as root, the data folder, the database (and its journal) and the key must be root's alone: a
 * folder a user can write lets them enrol their own face under another person's record, or plant a
 * link as the key. Checked with lstat before anything is opened; nothing is changed.
 */
function checkDataForRoot(dataDir: string): void {
  checkRootPath(dataDir, 'the data folder', 'folder', true);
  for (const [file, what] of [
    ['normface.db', 'the database'],
    ['normface.db-wal', "the database's journal"],
    ['normface.db-shm', "the database's journal index"],
    [KEY_FILE, 'the database key'],
    ['backups', 'the backups folder'],
  ] as const) {
    checkRootPath(join(dataDir, file), what, file === 'backups' ? 'folder' : 'file', true);
  }
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

/** The data folder and its key as this host reaches them; as root, only once the folder is checked. */
export async function dataAccess(dir: string | undefined): Promise<{ dataDir: string; keyring: Keyring }> {
  const inElectron = process.versions['electron'] !== undefined && !process.env['ELECTRON_RUN_AS_NODE'];
  const found = inElectron
    ? await electronKeyring(dir && resolve(dir))
    : { dataDir: resolve(dir ?? defaultDataDir()), keyring: nodeKeyring(resolve(dir ?? defaultDataDir())) };
  if (runningAsRoot()) checkDataForRoot(found.dataDir);
  return found;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const { dataDir, keyring } = await dataAccess(options.dataDir);
  const log = (message: string, error: unknown) => {
    process.stderr.write(`${message}: ${printable(error instanceof Error ? error.message : String(error))}\n`);
  };
  const { service, modelsDir } = await startHostService({ appRoot: options.appRoot, dataDir, keyring, host: 'cli', log });
  const state = service.storeState();
  if (state.state !== 'ok') {
    service.close();
    throw new CliError(`${state.message} Open the app to restore a backup.`, 'unavailable');
  }
  // The user who owns the data folder is its operator (only they, or root, can read its key); anyone
  // else running the command gets what a person at the screen gets.
  const connection = service.gate.connectAsFolderOwner(dataDir);
  const client = createClient((call, args) => connection.dispatch(call, args));
  let pipeline: Promise<FacePipeline> | null = null;
  return {
    dataDir,
    client,
    service,
    pipeline(models = []) {
      // One WASM thread: a login runs beside whatever else the machine does, and onnxruntime's second
      // thread spins while it waits. Measured with bench:cli under load: less CPU and wall time to the
      // decision than two threads; on an idle machine two save about 20 ms per probe embedding.
      // onnxruntime-node's native kernels where the binding loads (sessions in ~0.1 s instead of ~0.7 s),
      // else onnxruntime-web's WASM, said on stderr.
      pipeline ??= createHostPipeline(modelsDir, { models, threads: 1, runtime: runtimeFromEnvironment(), onFallback: (reason) => process.stderr.write(`normface: ${reason}.\n`) });
      return pipeline;
    },
    async close() {
      const p = pipeline;
      pipeline = null;
      if (p) await (await p.catch(() => null))?.release();
      connection.close();
      service.close();
    },
  };
}
