// First start: nobody manages the app yet, so the first person to open it creates the first
// operator (a name and a passphrase; the back end keeps only a memory-hard hash of it).
import { useState, type FormEvent } from 'react';
import { api, MIN_OPERATOR_PASSPHRASE } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';

export function FirstOperator() {
  const { sessionChanged } = useAppState();
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (passphrase !== again) return setError('The two passphrases differ.');
    setBusy(true);
    setError('');
    try {
      await sessionChanged(await api.operators.setup({ name, passphrase }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="main setup" data-testid="first-operator">
      <h1>Welcome to NormFace Desktop</h1>
      <p>
        Before anyone is enrolled, create the first operator: the person who enrols people, changes settings and starts the check-in kiosk. Operators
        sign in with their passphrase (a face alone never signs an operator in: a photo or a screen could show it).
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="setup-name">Operator name</label>
          <input id="setup-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" required />
        </div>
        <div className="field">
          <label htmlFor="setup-passphrase">Passphrase (at least {MIN_OPERATOR_PASSPHRASE} characters)</label>
          <input id="setup-passphrase" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" required />
        </div>
        <div className="field">
          <label htmlFor="setup-again">Passphrase again</label>
          <input id="setup-again" type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" required />
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Create the operator
          </button>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
      </form>
    </main>
  );
}
