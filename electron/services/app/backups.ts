// Backup files in <data>/backups/: the store's automatic one (auto-backup.db) and those made from the
// UI. The UI names them by file name only; paths never cross the contract.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupInfo } from '../../../core/contract/api';

export function backupDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

export function listBackups(dataDir: string): BackupInfo[] {
  const dir = backupDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^[A-Za-z0-9._-]+\.db$/.test(name) && !name.startsWith('.'))
    .map((name) => {
      const s = statSync(join(dir, name));
      return { name, createdAt: Math.round(s.mtimeMs), bytes: s.size };
    })
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** A fresh file name for a backup made now. */
export function newBackupName(at: number): string {
  return `backup-${new Date(at).toISOString().replace(/[:.]/g, '-')}.db`;
}
