// Spawned by test/unit/clock-faults.test.ts under libfaketime, whose offset the test changes between
// calls: the app's service on a data folder, answering one contract call per stdin line
// ({"id", "call", "args"}) with one stdout line ({"id", "reply"}), as a host would.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { calibrationFile } from '../../electron/services/app/calibration';
import { createAppService } from '../../electron/services/app/service';
import { fileKeyring } from '../../electron/services/store/index';
import type { Envelope } from '../../core/contract/api';
import { operatorConnection, withChallenges } from './operator';

const [dataDir, calibrationPath] = process.argv.slice(2);
if (dataDir === undefined || calibrationPath === undefined) throw new Error('usage: clock-child.ts <data dir> <calibration.json>');

void (async () => {
  const service = await createAppService({
    dataDir,
    keyring: fileKeyring(join(dataDir, 'normface.key')),
    calibration: calibrationFile(calibrationPath),
    training: null,
    about: { name: 'NormFace clock test', version: '0', host: 'browser', models: [], backendHint: 'wasm' },
    modelId: 'clock-test',
    log: () => {},
  });
  // As a signed-in operator's window: the first run creates the operator, a restart signs in.
  const dispatch = withChallenges((await operatorConnection(service.gate)).dispatch);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { id, call, args } = JSON.parse(line) as { id: number; call: string; args: unknown };
    void dispatch(call, args).then((reply: Envelope<unknown>) => process.stdout.write(`${JSON.stringify({ id, reply })}\n`));
  });
  lines.on('close', () => service.close());
  process.stdout.write('ready\n');
})();
