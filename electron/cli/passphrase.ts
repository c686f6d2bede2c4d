// The bundle passphrase for `normface export` / `normface import`: from a file or an environment
// variable, never from the command line, where every user's `ps` would show it.
import { readFileSync } from 'node:fs';
import { CliError } from './errors';

export const PASSPHRASE_ENV = 'NORMFACE_PASSPHRASE';

export function readPassphrase(file: string | undefined): string {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`The passphrase file ${file} cannot be read (${(e as Error).message}).`, 'invalid-arguments');
    }
    // A trailing newline is the editor's, not the passphrase's.
    return text.replace(/\r?\n$/, '');
  }
  const env = process.env[PASSPHRASE_ENV];
  if (env) return env;
  throw new CliError(`Give the bundle's passphrase with --passphrase-file FILE or in the ${PASSPHRASE_ENV} environment variable (never on the command line).`, 'invalid-arguments');
}
