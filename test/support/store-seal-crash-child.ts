// Spawned by test/unit/store-seal-crash.test.ts and killed with SIGKILL at a random moment: opens a
// schema-3 database, which runs the sealing migration (0004), VACUUM and the sealing of older backups.
// Prints "ready" just before openStore and "done <ms>" once it returned.
import { fileKeyring, openStore } from '../../electron/services/store/index';

const [dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: store-seal-crash-child.ts <dir>');
const keyring = fileKeyring(`${dir}/key`);
keyring.getKey();
process.stdout.write('ready\n');
const started = performance.now();
const store = openStore({ dir, keyring, autoBackup: false });
store.close();
process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
