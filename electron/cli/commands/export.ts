// normface export FILE [--person NAME]... : chosen people (or everyone) to one bundle sealed with a
// passphrase (scrypt + AES-256-GCM, electron/services/bundle/format.ts), for `normface import` or the app.
import { writeFileSync } from 'node:fs';
import { EXIT } from '../errors';
import { findIdentity } from '../identities';
import { readPassphrase } from '../passphrase';
import type { RegisterCommand } from './index';

export const exportCommand: RegisterCommand = (program, context) => {
  program
    .command('export')
    .description('export people to a passphrase-sealed bundle file, to import on another machine')
    .argument('<file>', 'the bundle to write (.nfbundle)')
    .option('--person <name>', 'export only this person (repeat for several; default: everyone)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--passphrase-file <file>', 'read the passphrase from this file (default: $NORMFACE_PASSPHRASE)')
    .action((file: string, options: { person: string[]; passphraseFile?: string }, command) =>
      context.run(command, async ({ client }, out) => {
        const passphrase = readPassphrase(options.passphraseFile);
        const ids = [];
        for (const name of options.person) ids.push((await findIdentity(client, name)).id);
        const bundle = await client.bundle.export({ passphrase, ...(ids.length > 0 ? { identityIds: ids } : {}) });
        writeFileSync(file, Buffer.from(bundle.bundle, 'base64'), { mode: 0o600 });
        out.result({ ok: true, file, identities: bundle.identities, bytes: bundle.bytes });
        out.line(`Exported ${bundle.identities} ${bundle.identities === 1 ? 'person' : 'people'} to ${file} (${bundle.bytes} bytes). Keep the passphrase apart from the file.`);
        return EXIT.ok;
      }),
    );
};
