// The `normface` program: global options, the command registry (commands/index.ts, one file per
// command), and one place that turns every outcome into a line and an exit status.
import { Command, CommanderError } from 'commander';
import { commands, type CommandContext } from './commands/index';
import { describe, EXIT } from './errors';
import { Output } from './output';
import { printable } from '../../core/contract/printable';
import { openSession } from './session';

export interface GlobalOptions {
  data?: string;
  json?: boolean;
}

/** Runs the command line `argv` (without node and the script) and resolves with the exit status. */
export async function runNormface(argv: readonly string[], appRoot: string): Promise<number> {
  let status: number = EXIT.ok;
  const program = new Command('normface')
    .description('NormFace Desktop from the command line: enroll from photos, verify at the camera (PAM), identify, export the log.')
    .option('--data <dir>', 'data folder (default: the per-user folder the app uses)')
    .option('--json', 'print one JSON document for scripts instead of sentences')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const context: CommandContext = {
    async run(command, work, dataDir) {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const out = new Output(globals.json === true);
      let session: Awaited<ReturnType<typeof openSession>> | null = null;
      try {
        session = await openSession({ appRoot, dataDir: globals.data ?? (typeof dataDir === 'function' ? dataDir() : undefined) });
        status = await work(session, out);
      } catch (error) {
        const { code, message, expected } = describe(error);
        out.clearBar();
        if (out.json) out.result({ ok: false, error: { code, message } });
        process.stderr.write(`normface: ${printable(message)}\n`);
        if (!expected && process.env['NORMFACE_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
        status = EXIT.error;
      } finally {
        await session?.close().catch(() => undefined);
      }
    },
  };
  for (const register of commands) register(program, context);

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; a bad command line is (and commander has said why).
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? EXIT.ok : EXIT.error;
    }
    throw error;
  }
  return status;
}
