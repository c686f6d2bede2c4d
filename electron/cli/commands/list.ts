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
        // What the person must know about the database comes first, on stderr, as in Settings and About;
        // each open checks the log's newest entries, and a break found now or before is told too.
        const { storeProblems, eventLog } = await client.app.info({});
        for (const p of storeProblems) out.warn(`normface: ${p.message}`);
        if (eventLog?.restored) out.warn(`normface: ${eventLog.restored.message}`);
        if (eventLog && !eventLog.intact) out.warn(`normface: ${eventLog.message ?? 'The event log was altered.'}`);
        out.result({ ok: true, identities: people.map(({ thumbnail: _t, ...rest }) => rest), storeProblems, eventLog });
        if (people.length === 0) out.line('No one is enrolled yet: normface enroll NAME --photos DIR adds someone.');
        for (const p of people) {
          const locked = p.lockedUntil ? `  locked until ${new Date(p.lockedUntil).toLocaleTimeString()}` : '';
          out.line(`${p.name}  (${p.templateCount} template${p.templateCount === 1 ? '' : 's'}, id ${p.id})${locked}`);
        }
        return EXIT.ok;
      }),
    );
};
