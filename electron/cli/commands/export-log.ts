// normface export-log [--csv] [--from DATE] [--to DATE] [--output FILE]: the audit log (enrolments,
// verifications with their decision and reason, lockouts, deletions) for a spreadsheet or a script.
import { writeFileSync } from 'node:fs';
import { eventsCsv } from '../../services/app/csv';
import { eventInWords } from '../../../core/contract/eventWords';
import { printable } from '../../../core/contract/printable';
import { CliError, EXIT } from '../errors';
import type { RegisterCommand } from './index';

function time(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (!Number.isFinite(t) || t < 0) throw new CliError(`${option} takes a date such as 2026-12-06 or 2026-12-06T08:00, not ${text}.`, 'invalid-arguments');
  return t;
}

export const exportLogCommand: RegisterCommand = (program, context) => {
  program
    .command('export-log')
    .description('print the event log (oldest first): enrolments, verifications, lockouts, deletions')
    .option('--csv', 'as CSV for a spreadsheet')
    .option('--from <date>', 'only events at or after this date')
    .option('--to <date>', 'only events before this date')
    .option('--output <file>', 'write to this file instead of standard output')
    .action((options: { csv?: boolean; from?: string; to?: string; output?: string }, command) =>
      context.run(command, async ({ client }, out) => {
        const events = (await client.events.list({ from: time(options.from, '--from'), to: time(options.to, '--to'), limit: 10_000 })).reverse();
        const text = options.csv
          ? eventsCsv(events)
          : out.json
            ? `${JSON.stringify({ ok: true, events })}\n`
            // One event per line: a name with a line break or an escape sequence must not forge another.
            : events.map((e) => printable(`${new Date(e.at).toISOString()}  ${eventInWords(e)}${e.name ? `  ${e.name}` : ''}${e.decision ? `  ${e.decision}` : ''}${typeof e.detail['reason'] === 'string' && e.detail['reason'] !== 'fell-through' ? ` (${e.detail['reason']})` : ''}`)).join('\n') + (events.length ? '\n' : '');
        if (options.output) {
          writeFileSync(options.output, text);
          if (!out.json) process.stderr.write(`Wrote ${events.length} events to ${options.output}.\n`);
        } else {
          process.stdout.write(text);
        }
        return EXIT.ok;
      }),
    );
};
