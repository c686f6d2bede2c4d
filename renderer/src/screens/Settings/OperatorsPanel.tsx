// Who may manage the app: the operators, adding one (a passphrase, and optionally the face of an
// enrolled person that they must also show at sign-in) and removing one (never the last).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, MIN_OPERATOR_PASSPHRASE, type IdentitySummary, type OperatorInfo } from '../../api/client';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';

export function OperatorsPanel() {
  const [operators, setOperators] = useState<OperatorInfo[]>([]);
  const [people, setPeople] = useState<IdentitySummary[]>([]);
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [face, setFace] = useState('');
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    try {
      const [o, p] = await Promise.all([api.operators.list(), api.identities.list({})]);
      setOperators(o);
      setPeople(p);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      await api.operators.add({ name, passphrase, ...(face ? { faceIdentityId: face } : {}) });
      setName('');
      setPassphrase('');
      setFace('');
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const remove = async (id: string) => {
    setError('');
    try {
      await api.operators.remove({ id });
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <fieldset data-testid="operators">
      <legend>Operators</legend>
      <ul>
        {operators.map((o) => (
          <li key={o.id}>
            {o.name}
            {o.faceIdentityId ? ` (passphrase and the face of ${people.find((p) => p.id === o.faceIdentityId)?.name ?? 'a person no longer enrolled'})` : ' (passphrase)'}
            {o.lockedUntil ? ' — locked after failed sign-ins' : ''}{' '}
            <button type="button" className="secondary" onClick={() => void remove(o.id)} disabled={operators.length <= 1}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void add(e)}>
        <div className="field">
          <label htmlFor="new-operator-name">New operator's name</label>
          <input id="new-operator-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="new-operator-passphrase">Passphrase (at least {MIN_OPERATOR_PASSPHRASE} characters)</label>
          <input id="new-operator-passphrase" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" required />
        </div>
        <div className="field">
          <label htmlFor="new-operator-face">Also require the face of</label>
          <select id="new-operator-face" value={face} onChange={(e) => setFace(e.target.value)}>
            <option value="">nobody (passphrase only)</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit">Add operator</button>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
    </fieldset>
  );
}
