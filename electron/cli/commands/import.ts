// normface import FILE [--merge]: the people of a bundle, sealed again under this data folder's key.
// People already enrolled here (same record, or the same face at the security level) are skipped, or
// with --merge get the bundle's templates added.
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from '../errors';
import { readPassphrase } from '../passphrase';
import type { RegisterCommand } from './index';

export const importCommand: RegisterCommand = (program, context) => {
  program
    .command('import')
    .description('import the people of a bundle made by `normface export` or the app')
    .argument('<file>', 'the bundle to read')
    .option('--merge', 'add the templates of people already enrolled here to them (default: skip them)')
    .option('--passphrase-file <file>', 'read the passphrase from this file (default: $NORMFACE_PASSPHRASE)')
    .action((file: string, options: { merge?: boolean; passphraseFile?: string }, command) =>
      context.run(command, async ({ client }, out) => {
        const passphrase = readPassphrase(options.passphraseFile);
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          throw new CliError(`The bundle ${file} cannot be read (${(e as Error).message}).`, 'not-found');
        }
        const bundle = bytes.toString('base64');
        const seen = await client.bundle.inspect({ bundle, passphrase });
        const choices: Record<string, 'merge' | 'skip'> = {};
        for (const p of seen.people) {
          if (!p.match) continue;
          choices[p.id] = options.merge ? 'merge' : 'skip';
          out.line(`${p.name} is already enrolled here as ${p.match.name} (${p.match.by === 'id' ? 'same record' : `face match ${p.match.score?.toFixed(3)}`}): ${options.merge ? 'merging' : 'skipping (use --merge to add the templates)'}.`);
        }
        const done = await client.bundle.import({ bundle, passphrase, choices });
        out.result({ ok: true, ...done });
        out.line(`Imported from ${file}: ${done.added} added, ${done.merged} merged, ${done.skipped} skipped (${done.templates} templates).`);
        return EXIT.ok;
      }),
    );
};
