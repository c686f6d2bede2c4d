// Child of test/unit/fleet-crash.test.ts: a desk of the fleet that checks people in and enrols new
// ones as fast as it can, syncing all the while, until the parent kills it with SIGKILL. It builds the
// service itself: the fixtures that find the checkout through import.meta do not survive bundling.
// argv: dataDir calibrationPath modelId seed
import { join } from 'node:path';
import { createClient } from '../../core/contract/api';
import { calibrationFile } from '../../electron/services/app/calibration';
import { createAppService } from '../../electron/services/app/service';
import { fileKeyring } from '../../electron/services/store/index';
import { operatorConnection, visitFrom, withChallenges } from './operator';
import { personTemplates } from './person-templates';
import { visitEvidence } from './visitEvidence';

const [dataDir, calibration, modelId, seedText] = process.argv.slice(2) as [string, string, string, string];
const seed = Number(seedText);

async function main(): Promise<void> {
  const service = await createAppService({
    dataDir, keyring: fileKeyring(join(dataDir, 'normface.key')), calibration: calibrationFile(calibration), training: null,
    about: { name: 'crash', version: '0', host: 'browser', models: [], backendHint: 'wasm' }, modelId, log: () => {}, fleet: { pollMs: 50 },
  });
  // As a signed-in operator's window (the first run creates the operator; a restart signs in).
  const dispatch = withChallenges((await operatorConnection(service.gate)).dispatch);
  const api = createClient((call, args) => dispatch(call, args));
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    await visitFrom(service.gate, { evidence: visitEvidence(personTemplates(1, 1)) });
    if (i % 4 === 0) {
      await api.identities.create({ name: `Crash ${seed}-${i}`, templates: personTemplates(seed * 1000 + i, 2).map((v) => ({ vector: v, quality: { score: 0.9 }, source: 'camera' as const })) });
    }
    if (i % 3 === 0) await service.fleet.syncNow();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
