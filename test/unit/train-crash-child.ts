// Spawned by train-service.test.ts and killed with SIGKILL mid-run: opens the store, starts a long
// training run and prints "training <runId>" at its first progress event, then waits to be killed.
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { TrainingService } from '../../electron/services/training/service';
import { defaultProtocolSettings } from '../../native-train/protocol';

const [dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: train-crash-child.ts <dir>');
const store = openStore({ dir, keyring: fileKeyring(`${dir}/key`), autoBackup: false });
const service = new TrainingService(store, {
  settings: { ...defaultProtocolSettings, train: { ...defaultProtocolSettings.train, epochs: 100_000, maxSeconds: 600 } },
});
let told = false;
service.on((event) => {
  if (event.type === 'progress' && !told) {
    told = true;
    process.stdout.write(`training ${event.runId}\n`);
  }
});
service.start({});
