// Erasing everything must be deliberate: the person types the exact phrase the back end checks.
import { useState } from 'react';
import { api, DELETE_ALL_CONFIRMATION } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';

export function DeleteAllData({ onDeleted }: { onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  /** Whether this desk shares its people with a fleet: then erasing them erases them at every desk. */
  const [fleetMember, setFleetMember] = useState(false);

  async function ask() {
    setError('');
    try {
      setFleetMember((await api.fleet.status()).member);
    } catch {
      // Without the fleet's status the back end still refuses a fleet desk's erase without fleetWide.
      setFleetMember(false);
    }
    setOpen(true);
  }

  async function erase() {
    setBusy(true);
    setError('');
    try {
      await api.data.deleteAll({ confirm: DELETE_ALL_CONFIRMATION, ...(fleetMember ? { fleetWide: true } : {}) });
      setOpen(false);
      onDeleted();
    } catch (e) {
      setOpen(false);
      setError(`Nothing was deleted: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="danger" disabled={busy} onClick={() => void ask()}>
        Delete all data…
      </button>
      {error && <Notice kind="error">{error}</Notice>}
      <ConfirmDialog
        open={open}
        title="Delete all data?"
        confirmLabel="Delete everything"
        requireText={DELETE_ALL_CONFIRMATION}
        onConfirm={() => void erase()}
        onCancel={() => setOpen(false)}
      >
        <p>This deletes every identity, template, check-in, event and setting, and every backup too: it cannot be undone.</p>
        {fleetMember && (
          <p data-testid="delete-all-fleet">
            <strong>This desk shares its people with a fleet: every person is deleted at every desk of the fleet too.</strong> To erase this desk only,
            leave the fleet first (Settings, Fleet).
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
