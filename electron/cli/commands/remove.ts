// normface remove NAME: erases the person, their templates and thumbnails (the store logs it).
import { EXIT } from '../errors';
import { findIdentity } from '../identities';
import type { RegisterCommand } from './index';

export const removeCommand: RegisterCommand = (program, context) => {
  program
    .command('remove')
    .description('remove a person and all their face data')
    .argument('<name>', 'name (or id) of the person')
    .action((name: string, _options, command) =>
      context.run(command, async ({ client }, out) => {
        const person = await findIdentity(client, name);
        await client.identities.delete({ id: person.id });
        out.result({ ok: true, removed: { id: person.id, name: person.name } });
        out.line(`Removed ${person.name} and their ${person.templateCount} template${person.templateCount === 1 ? '' : 's'}.`);
        return EXIT.ok;
      }),
    );
};
