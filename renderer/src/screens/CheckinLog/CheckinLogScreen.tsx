// The check-in log: who checked in when, filtered by day, exported as CSV (the back end writes the
// CSV so both hosts produce the same file; the page only saves it).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type CheckIn } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { download } from '../../components/download';
import { EventLogNotice } from '../../components/PrivacyStatus';
import { IdentityPicker } from '../../components/IdentityPicker';
import type { IdentitySummary } from '../../api/client';
import { dayRange, dayValue } from './dateRange';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));


/** A visitor the kiosk did not recognise, checked in by the operator (logged with the operator's name). */
function ManualCheckIn({ onDone }: { onDone(): void }) {
  const [who, setWho] = useState<IdentitySummary | null>(null);
  const [note, setNote] = useState('');
  return (
    <div className="manual-checkin">
      <IdentityPicker value={who} onChange={setWho} label="Check someone in by hand" />
      <button
        type="button"
        disabled={!who}
        onClick={() =>
          who &&
          api.checkins.manual({ identityId: who.id }).then(
            (c) => (setNote(`${c.name} checked in by hand.`), onDone()),
            (e: unknown) => setNote(`Not checked in: ${message(e)}`),
          )
        }
      >
        Check in
      </button>
      {note && <p role="status">{note}</p>}
    </div>
  );
}

export function CheckinLogScreen() {
  const { info } = useAppState();
  const today = dayValue(new Date());
  const [fromDay, setFromDay] = useState(today);
  const [toDay, setToDay] = useState(today);
  const [rows, setRows] = useState<CheckIn[] | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');

  const range = useMemo(() => dayRange(fromDay, toDay), [fromDay, toDay]);

  const load = useCallback(async () => {
    if (typeof range === 'string') return;
    setError('');
    try {
      setRows(await api.checkins.list(range));
    } catch (e) {
      setError(`The check-ins could not be read: ${message(e)}`);
    }
  }, [range]);

  useEffect(() => {
    void load();
  }, [load]);

  async function exportCsv() {
    if (typeof range === 'string') return;
    setStatus('');
    try {
      const { fileName, csv } = await api.checkins.exportCsv(range);
      download(fileName, csv, 'text/csv;charset=utf-8');
      setStatus(`Saved ${fileName}.`);
    } catch (e) {
      setError(`The CSV could not be exported: ${message(e)}`);
    }
  }

  return (
    <section className="screen checkin-log" aria-labelledby="log-title">
      <h1 id="log-title">Check-in log</h1>
      <ManualCheckIn onDone={() => void load()} />
      <EventLogNotice info={info} />
      <form
        className="row"
        style={{ alignItems: 'flex-end' }}
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <div className="field">
          <label htmlFor="log-from">From</label>
          <input id="log-from" type="date" value={fromDay} onChange={(e) => setFromDay(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="log-to">To</label>
          <input id="log-to" type="date" value={toDay} onChange={(e) => setToDay(e.target.value)} />
        </div>
        <div className="actions" style={{ marginBottom: 'var(--gap)' }}>
          <button type="submit">Refresh</button>
          <button type="button" className="secondary" onClick={() => { setFromDay(''); setToDay(''); }}>
            All days
          </button>
          <button type="button" className="secondary" onClick={() => void exportCsv()} disabled={typeof range === 'string'}>
            Export CSV
          </button>
        </div>
      </form>
      {typeof range === 'string' && <p role="alert" className="field-error">{range}</p>}
      {error && <p role="alert" className="field-error">{error}</p>}
      <p role="status" aria-live="polite" className="muted">{status}</p>
      {rows && rows.length === 0 && <p>No check-ins in this period.</p>}
      {rows && rows.length > 0 && (
        <table>
          <caption>{rows.length} check-in{rows.length === 1 ? '' : 's'}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Name</th>
              <th scope="col">Score (cosine)</th>
              <th scope="col">Greeted</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td>
                  {new Date(c.at).toLocaleString()}
                  {c.stampedAhead ? <span title="Stamped later than the computer's clock says it is now: the clock was moved back since."> (ahead of the clock)</span> : null}
                </td>
                <td>{c.name}</td>
                <td>{c.score.toFixed(3)}</td>
                <td>{c.repeat ? 'no (repeat)' : 'yes'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export default CheckinLogScreen;
