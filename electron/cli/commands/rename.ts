// normface rename OLD NEW
import { EXIT } from '../errors';
import { findIdentity } from '../identities';
import type { RegisterCommand } from './index';

export const renameCommand: RegisterCommand = (program, context) => {
  program
    .command('rename')
    .description('rename a person')
    .argument('<old>', 'current name (or id)')
    .argument('<new>', 'new name')
    .action((oldName: string, newName: string, _options, command) =>
      context.run(command, async ({ client }, out) => {
        const person = await findIdentity(client, oldName);
        const renamed = await client.identities.rename({ id: person.id, name: newName });
        out.result({ ok: true, renamed: { id: renamed.id, from: person.name, to: renamed.name } });
        out.line(`Renamed ${person.name} to ${renamed.name}.`);
        return EXIT.ok;
      }),
    );
};
