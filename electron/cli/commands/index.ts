// The command registry: one file per command, each adding itself to the program. A new command
// (export, import) is one file and one line here.
import type { Command } from 'commander';
import type { Output } from '../output';
import type { Session } from '../session';
import { checkLogCommand } from './check-log';
import { enrollCommand } from './enroll';
import { exportCommand } from './export';
import { exportLogCommand } from './export-log';
import { identifyCommand } from './identify';
import { importCommand } from './import';
import { listCommand } from './list';
import { removeCommand } from './remove';
import { renameCommand } from './rename';
import { verifyCommand } from './verify';

export interface CommandContext {
  /**
   * Opens the session (data folder, key, service), runs `work`, prints any error, sets the exit status.
   * `dataDir` is the command's own default folder (a login configuration's); --data still wins.
   */
  run(command: Command, work: (session: Session, out: Output) => Promise<number>, dataDir?: () => string | undefined): Promise<void>;
}

export type RegisterCommand = (program: Command, context: CommandContext) => void;

export const commands: readonly RegisterCommand[] = [enrollCommand, listCommand, removeCommand, renameCommand, verifyCommand, identifyCommand, exportLogCommand, exportCommand, importCommand, checkLogCommand];
