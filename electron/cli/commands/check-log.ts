// normface check-log: checks every entry of the event log from the first, which an open does not (it
// checks only the entries since the last sealed checkpoint). Exit 0 intact, 1 altered.
import { EXIT } from '../errors';
import type { RegisterCommand } from './index';

export const checkLogCommand: RegisterCommand = (program, context) => {
  program
    .command('check-log')
    .description('check the whole event log for entries changed or deleted outside the app (exit 0 intact, 1 altered)')
    .action((_options, command) =>
      context.run(command, async ({ client }, out) => {
        const check = await client.events.checkLog({});
        out.result({ ok: true, eventLog: check });
        if (check.intact) {
          out.line(`The event log is intact: all ${check.entries} entries verify.`);
          return EXIT.ok;
        }
        out.line(check.message ?? 'The event log was altered.');
        return EXIT.refused;
      }),
    );
};
