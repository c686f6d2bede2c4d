// normface list: who is enrolled.
import { EXIT } from '../errors';
import type { RegisterCommand } from './index';

export const listCommand: RegisterCommand = (program, context) => {
  program
    .command('list')
    .description('list the enrolled people')
    .action((_options, command) =>
      context.run(command, async ({ client }, out) => {
        const people = await client.identities.list({});
        const problems = (await client.app.info()).storeProblems;
        out.result({ ok: true, identities: people.map(({ thumbnail: _t, ...rest }) => rest), storeProblems: problems });
        for (const p of problems) out.line(`Warning: ${p.message}`);
        if (people.length === 0) out.line('No one is enrolled yet: normface enroll NAME --photos DIR adds someone.');
        for (const p of people) {
          const locked = p.lockedUntil ? `  locked until ${new Date(p.lockedUntil).toLocaleTimeString()}` : '';
          out.line(`${p.name}  (${p.templateCount} template${p.templateCount === 1 ? '' : 's'}, id ${p.id})${locked}`);
        }
        return EXIT.ok;
      }),
    );
};
