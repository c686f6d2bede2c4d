// Spawned by test/unit/store-crash.test.ts and killed with SIGKILL at a random moment: enrols
// identities of 50 templates one after another, forever. Prints "ready" once the store is open and
// "begin <n>" / "done <n>" around each enrolment.
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { seededRandom, templates } from './store-fixtures';

const [dir, seedText] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: store-crash-child.ts <dir> <seed>');
const random = seededRandom(Number(seedText ?? 1));
// Made before "ready" so the kill lands in enrolment (sealing, inserting, committing), not in test setup.
const batches = [templates(random, 50, true), templates(random, 50, false)];
const store = openStore({ dir, keyring: fileKeyring(`${dir}/key`), autoBackup: false });
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const batch = batches[n % 2]!;
  process.stdout.write(`begin ${n}\n`);
  store.createIdentity({ name: `crash ${seedText} ${n}`, templates: batch });
  process.stdout.write(`done ${n}\n`);
}
