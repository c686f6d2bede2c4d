// Spawned by test/unit/store-seal-crash.test.ts and killed with SIGKILL: opens a schema-3 database,
// which runs the sealing migration (0004), VACUUM and the sealing of older backups. Prints "ready"
// just before openStore and "done <ms>" once it returned. With a step name it kills itself at that
// step instead (the steps are listed in SEAL_STEPS), so every step is hit, not only the likely ones.
import type * as NodeFs from 'node:fs';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { fileKeyring, openStore } from '../../electron/services/store/index';
import { SEAL_STEPS, type SealStep } from './seal-steps';

const [dir, step] = process.argv.slice(2) as [string | undefined, SealStep | undefined];
if (dir === undefined) throw new Error('usage: store-seal-crash-child.ts <dir> [step]');
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('killed');
};
if (step !== undefined) {
  if (!SEAL_STEPS.includes(step)) throw new Error(`unknown step ${step}`);
  const proto = Database.prototype as unknown as { exec(sql: string): unknown; pragma(sql: string, o?: unknown): unknown };
  const exec = proto.exec;
  proto.exec = function (this: unknown, sql: string) {
    // The last statement of migration 0004, inside its transaction.
    if (step === 'in-migration' && sql.includes('DROP COLUMN display_name')) die();
    if (step === 'before-vacuum' && sql.trim() === 'VACUUM') die();
    return exec.call(this, sql);
  };
  const pragma = proto.pragma;
  proto.pragma = function (this: unknown, sql: string, o?: unknown) {
    if (step === 'before-wal-truncate' && sql === 'wal_checkpoint(TRUNCATE)') die();
    return pragma.call(this, sql, o);
  };
  // The real module object (not a bundler's copy of it), which the store's fs calls go through.
  const mutable = createRequire(process.argv[1]!)('node:fs') as typeof NodeFs;
  const copy = mutable.copyFileSync;
  mutable.copyFileSync = (from, to, mode) => {
    copy(from, to, mode);
    if (step === 'backup-copied' && String(to).endsWith('.sealing')) die();
  };
  const rename = mutable.renameSync;
  let renamed = 0;
  mutable.renameSync = (from, to) => {
    if (step === 'backup-sealed' && String(from).endsWith('.sealing')) die();
    rename(from, to);
    if (step === 'one-backup-renamed' && String(from).endsWith('.sealing') && ++renamed === 1) die();
  };
}
const keyring = fileKeyring(`${dir}/key`);
keyring.getKey();
process.stdout.write('ready\n');
const started = performance.now();
const store = openStore({ dir, keyring, autoBackup: step !== undefined });
store.close();
process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
