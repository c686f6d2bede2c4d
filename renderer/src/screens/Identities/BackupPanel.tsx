// Backups: make one now, list what the backup folder holds, restore one (after a confirmation,
// since a restore replaces every identity with the backup's).
import { useCallback, useEffect, useState } from 'react';
import { api, type BackupInfo } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText as message } from '../../components/errorText';
import { useAction } from '../../components/useAction';

const size = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`);

export function BackupPanel({ onRestored }: { onRestored: () => void }) {
  const [backups, setBackups] = useState<BackupInfo[] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const { busy, error, status, setError, run: act } = useAction();
  const { info } = useAppState();
  // The back end offers a restore only where one can open (damage); a missing key opens no backup either.
  const restoreCannotHelp = info?.store.state === 'unavailable' && info.store.latestBackup === null;

  const load = useCallback(() => {
    api.backup.list().then(setBackups, (e: unknown) => setError(`The backups could not be listed: ${message(e)}`));
  }, []);
  useEffect(load, [load]);

  const run = (work: () => Promise<string>, failure: string) => act(work, failure, { onSettled: load });

  const create = () => run(async () => `Backup ${(await api.backup.create()).name} saved.`, 'The backup was not made');
  const restore = (name: string) =>
    run(async () => {
      const { identities } = await api.backup.restore({ name });
      setConfirming(null);
      onRestored();
      return `Restored ${name}: ${identities} ${identities === 1 ? 'identity' : 'identities'}.`;
    }, `Nothing was restored from ${name}`);

  return (
    <section className="panel backups" aria-labelledby="backups-title">
      <h2 id="backups-title">Backup and restore</h2>
      <button type="button" disabled={busy} onClick={() => void create()}>Back up now</button>
      <p role="status" aria-live="polite" className="muted">{status}</p>
      {error && <p role="alert" className="field-error">{error}</p>}
      {backups?.length === 0 && <p>No backups yet.</p>}
      {restoreCannotHelp && backups && backups.length > 0 && <p>A restore cannot help here: the backups are sealed with the same key, and the database could not be opened for the reason above.</p>}
      {backups && backups.length > 0 && (
        <ul className="backup-list">
          {backups.map((b) => (
            <li key={b.name}>
              <span className="mono">{b.name}</span> — {new Date(b.createdAt).toLocaleString()}, {size(b.bytes)}{' '}
              {restoreCannotHelp ? null : confirming === b.name ? (
                <span role="group" aria-label={`Confirm restoring ${b.name}`}>
                  Replace all current identities with this backup?{' '}
                  <button type="button" className="danger" disabled={busy} onClick={() => void restore(b.name)}>Restore</button>{' '}
                  <button type="button" onClick={() => setConfirming(null)}>Cancel</button>
                </span>
              ) : (
                <button type="button" disabled={busy} onClick={() => setConfirming(b.name)} aria-label={`Restore ${b.name}`}>Restore…</button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
