// A throwaway PostgreSQL 15 cluster for the fleet tests and bench: initdb into a temporary folder,
// served on a private Unix socket only (no TCP), as the `postgres` system user when run as root
// (initdb and postgres refuse root). Skips with a one-line reason when the package is absent.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.NORMFACE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const noPostgresReason: string | undefined = existsSync(join(BIN, 'initdb'))
  ? undefined
  : `PostgreSQL 15 is not installed (no ${BIN}/initdb; .ci/run installs the postgresql package)`;

export interface TestPostgres {
  /** Connection string of the cluster's superuser (the fleet's administrator). */
  url: string;
  socketDir: string;
  port: number;
  stop(): void;
  start(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
  /** pg_dump of the fleet database, as bytes. */
  dump(): Buffer;
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function asPostgres(args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
}

function run(args: string[]): void {
  const [cmd, ...rest] = asPostgres(args);
  execFileSync(cmd!, rest, { stdio: 'pipe' });
}

export function startPostgres(): TestPostgres {
  const root = mkdtempSync(join(tmpdir(), 'normface-pg-'));
  const owner = postgresUser();
  chmodSync(root, 0o700);
  if (owner) chownSync(root, owner.uid, owner.gid);
  const data = join(root, 'data');
  const socketDir = root;
  const port = 20000 + Math.floor(Math.random() * 20000);
  run([join(BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'fleetadmin', '--no-sync', '-E', 'UTF8']);
  const start = (): void => run([join(BIN, 'pg_ctl'), '-D', data, '-w', '-l', join(root, 'log'), '-o', `-k ${socketDir} -p ${port} -c listen_addresses='' -c fsync=off`, 'start']);
  const stop = (): void => run([join(BIN, 'pg_ctl'), '-D', data, '-w', '-m', 'fast', 'stop']);
  start();
  run([join(BIN, 'createdb'), '-h', socketDir, '-p', String(port), '-U', 'fleetadmin', 'fleet']);
  return {
    url: `postgresql://fleetadmin@/fleet?host=${encodeURIComponent(socketDir)}&port=${port}`,
    socketDir,
    port,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        // Already stopped.
      }
      rmSync(root, { recursive: true, force: true });
    },
    dump() {
      const [cmd, ...rest] = asPostgres([join(BIN, 'pg_dump'), '-h', socketDir, '-p', String(port), '-U', 'fleetadmin', 'fleet']);
      return execFileSync(cmd!, rest, { maxBuffer: 1 << 30 });
    },
  };
}
