// The one way a host (Electron's main process, the browser host, the command line) builds the back
// end: the same models, calibration, training and store options, so the hosts differ only in how they
// keep the key and how their callers connect (service.gate).
import { join } from 'node:path';
import type { Keyring } from '../store/index';
import { TrainingService } from '../training/service';
import { readAbout } from './about';
import { calibrationFile } from './calibration';
import { createAppService, type AppService } from './service';

export interface HostServiceOptions {
  /** Where package.json, models/ and node_modules/ are. */
  appRoot: string;
  dataDir: string;
  keyring: Keyring;
  host: 'electron' | 'browser' | 'cli';
  /** Defaults to <appRoot>/models/calibration.json (tests bring their own). */
  calibrationPath?: string;
  log: (message: string, error: unknown) => void;
  onKioskChange?: (locked: boolean) => void;
}

export async function startHostService(o: HostServiceOptions): Promise<{ service: AppService; modelsDir: string; embedderModelId: string }> {
  const modelsDir = join(o.appRoot, 'models');
  const about = readAbout(o.appRoot, modelsDir);
  const cli = o.host === 'cli';
  const service = await createAppService({
    dataDir: o.dataDir,
    keyring: o.keyring,
    calibration: calibrationFile(o.calibrationPath ?? join(modelsDir, 'calibration.json')),
    // Runs finish as 'done' and a person accepts them (the Training screen's Accept button); a login at the command line trains nothing.
    training: cli ? null : (store) => new TrainingService(store, { autoAccept: false, modelId: about.embedderModelId, log: o.log }),
    // app.info knows two hosts; the command is a Node host like the browser one.
    about: { name: about.name, version: about.version, host: o.host === 'electron' ? 'electron' : 'browser', models: about.models, backendHint: cli ? 'wasm' : 'webgpu' },
    modelId: about.embedderModelId,
    // The app backs the database up when it starts; a login at the command line must not copy it every time.
    autoBackup: !cli,
    // Nor check the whole log: it checks the entries since the last checkpoint (`normface check-log` checks all).
    fullLogCheckAfterMs: cli ? null : undefined,
    // The app syncs with the fleet; a login only leaves its events for the app to send.
    ...(cli ? { fleet: false as const } : {}),
    log: o.log,
    ...(o.onKioskChange ? { onKioskChange: o.onKioskChange } : {}),
  });
  return { service, modelsDir, embedderModelId: about.embedderModelId };
}
