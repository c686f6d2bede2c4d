// What the command prints: sentences for people on stdout (problems on stderr), or, with --json, one
// JSON document per command on stdout for scripts. The progress bar goes to stderr, and only to a terminal.
// Every line is printed with its control characters escaped: names come from people and from files.
import { printable } from '../../core/contract/printable';

export class Output {
  private barShown = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream | NodeJS.WritableStream = process.stderr,
  ) {}

  /** A line for people (suppressed with --json, where `result` carries the same). */
  line(text: string): void {
    if (this.json) return;
    this.clearBar();
    this.stdout.write(`${printable(text)}\n`);
  }

  /** A problem or warning, always on stderr. */
  warn(text: string): void {
    this.clearBar();
    this.stderr.write(`${printable(text)}\n`);
  }

  /** The command's result for scripts (only with --json). */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** `[#####.....] 3/7 name` on a terminal's stderr; nothing when piped or with --json. */
  progress(done: number, total: number, label: string): void {
    if (this.json || !(this.stderr as NodeJS.WriteStream).isTTY) return;
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${printable(label)}`.slice(0, 100);
    this.stderr.write(`\r\x1b[2K${text}`);
    this.barShown = true;
  }

  clearBar(): void {
    if (!this.barShown) return;
    this.stderr.write('\r\x1b[2K');
    this.barShown = false;
  }
}
