// Settings -> Fleet: this desk in a fleet of desks sharing one list of people through PostgreSQL.
// Create a fleet (the first desk), invite a desk (a join code sealed under a passphrase), join with a
// connection string and a join code, leave, remove a desk; the desks and their last contact, what is
// waiting to be sent, the last error in a sentence, and rows from the fleet that were set aside.
import { useEffect, useState } from 'react';
import { api, type FleetStatus } from '../../api/client';
import { Notice } from '../../components/Notice';
import { clockTime } from '../../components/time';
import { useAction } from '../../components/useAction';

const when = (at: number | null) => (at === null ? 'never' : clockTime(at));

function Desks({ status, onRemove, busy }: { status: FleetStatus; onRemove: (id: string) => void; busy: boolean }) {
  if (!status.connected) return <p className="hint">The desks are listed while the fleet database can be reached.</p>;
  return (
    <table data-testid="fleet-desks">
      <caption>Desks in this fleet</caption>
      <thead>
        <tr>
          <th scope="col">Desk</th>
          <th scope="col">Last contact</th>
          <th scope="col">State</th>
          {status.canManage && <th scope="col">Remove</th>}
        </tr>
      </thead>
      <tbody>
        {status.desks.map((d) => (
          <tr key={d.id} data-desk={d.id}>
            <td>{d.label}{d.thisDesk ? ' (this desk)' : ''}</td>
            <td>{when(d.lastContact)}</td>
            <td>{d.removedAt === null ? 'in the fleet' : `removed ${when(d.removedAt)}`}</td>
            {status.canManage && (
              <td>
                {!d.thisDesk && d.removedAt === null && (
                  <button type="button" className="danger" disabled={busy} onClick={() => onRemove(d.id)}>Remove</button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function FleetPanel() {
  const [status, setStatus] = useState<FleetStatus | null>(null);
  const [connection, setConnection] = useState('');
  const [label, setLabel] = useState('');
  const [joinCode, setJoinCode] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [invite, setInvite] = useState('');
  const action = useAction();

  async function refresh() {
    try {
      setStatus(await api.fleet.status());
    } catch (e) {
      action.setError(`The fleet's state cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 5000);
    return () => clearInterval(timer);
  }, []);

  const run = (work: () => Promise<string>, failure: string) => action.run(work, failure, { onSettled: () => void refresh() });

  return (
    <fieldset data-testid="fleet-panel">
      <legend>Fleet</legend>
      {action.error && <Notice kind="error">{action.error}</Notice>}
      {action.status && <Notice kind="info">{action.status}</Notice>}
      {status && !status.member && (
        <>
          <p>This desk keeps its people to itself. Several desks can share one list of people, one check-in log and lock-outs through a PostgreSQL database; each desk still recognises on its own, also while the database is down.</p>
          <div className="field">
            <label htmlFor="fleet-connection">PostgreSQL connection string</label>
            <input id="fleet-connection" className="mono" placeholder="postgresql://user@host/database" value={connection} onChange={(e) => setConnection(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="fleet-label">This desk's name (to create a fleet)</label>
            <input id="fleet-label" value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <button type="button" disabled={action.busy || !connection || !label} onClick={() => void run(async () => {
            await api.fleet.create({ connection, label });
            return 'The fleet was created; invite the other desks from here.';
          }, 'The fleet could not be created')}>Create a fleet</button>
          <div className="field">
            <label htmlFor="fleet-code">Join code (from the desk that created the fleet)</label>
            <textarea id="fleet-code" className="mono" value={joinCode} onChange={(e) => setJoinCode(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="fleet-passphrase">Its passphrase</label>
            <input id="fleet-passphrase" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
          </div>
          <button type="button" disabled={action.busy || !connection || !joinCode || !passphrase} onClick={() => void run(async () => {
            await api.fleet.join({ connection, joinCode, passphrase });
            setPassphrase('');
            return 'This desk joined the fleet.';
          }, 'This desk could not join')}>Join a fleet</button>
        </>
      )}
      {status?.member && (
        <>
          <p data-testid="fleet-state">
            {status.label} — {status.connected ? 'connected' : 'not connected'}; last contact {when(status.lastContact)};{' '}
            {status.waiting === 0 ? 'nothing waiting to be sent' : `${status.waiting} change${status.waiting === 1 ? '' : 's'} waiting to be sent`}.
          </p>
          {status.lastError && <Notice kind="error">{status.lastError}</Notice>}
          {status.setAside.length > 0 && (
            <Notice kind="error">
              {status.setAside.length} row{status.setAside.length === 1 ? '' : 's'} from the fleet failed their checks and were set aside (never applied): {status.setAside[0]!.reason}
            </Notice>
          )}
          <Desks status={status} busy={action.busy} onRemove={(deskId) => void run(async () => {
            await api.fleet.removeDesk({ deskId });
            return 'The desk was removed: its login is refused by the fleet database from now on.';
          }, 'The desk could not be removed')} />
          {status.canManage && (
            <>
              <div className="field">
                <label htmlFor="fleet-invite-label">New desk's name</label>
                <input id="fleet-invite-label" value={label} onChange={(e) => setLabel(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="fleet-invite-passphrase">Passphrase for the join code (tell it to the other desk separately)</label>
                <input id="fleet-invite-passphrase" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
              </div>
              <button type="button" disabled={action.busy || !label || passphrase.length < 8} onClick={() => void run(async () => {
                setInvite((await api.fleet.invite({ label, passphrase })).joinCode);
                setPassphrase('');
                return 'Join code made: enter it at the new desk with the passphrase.';
              }, 'The join code could not be made')}>Invite a desk</button>
              {invite && <textarea readOnly className="mono" data-testid="fleet-join-code" value={invite} />}
            </>
          )}
          <button type="button" disabled={action.busy} onClick={() => void run(async () => {
            await api.fleet.sync();
            return 'Synced.';
          }, 'The sync failed')}>Sync now</button>
          <button type="button" className="danger" disabled={action.busy} onClick={() => void run(async () => {
            await api.fleet.leave();
            return 'This desk left the fleet; the people enrolled here stay on it.';
          }, 'This desk could not leave the fleet')}>Leave the fleet</button>
        </>
      )}
    </fieldset>
  );
}
