// "Who is this?": identify the face in one photo against everyone enrolled (1:N, open set), at the
// security level in force. Shows the best candidates and whether the top one passes the threshold.
import { useId, useState } from 'react';
import { api, type Identification } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { sharedVision } from '../../vision/Vision';

export function IdentifyPhoto() {
  const { settings } = useAppState();
  const inputId = useId();
  const [fileName, setFileName] = useState('');
  const [result, setResult] = useState<Identification | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function identify(file: File) {
    setBusy(true);
    setError('');
    setResult(null);
    setFileName(file.name);
    try {
      const photo = await (await sharedVision(settings.backend)).photo(file);
      if (!photo.ok) {
        setError(`${file.name}: ${photo.message}`);
        return;
      }
      setResult(await api.identify({ probe: photo.template, k: 3, level: settings.securityLevel }));
    } catch (e) {
      setError(`${file.name} could not be identified: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel identify-photo" aria-labelledby="identify-title">
      <h2 id="identify-title">Who is this?</h2>
      <div className="field">
        <label htmlFor={inputId}>Identify the person in a photo</label>
        <input
          id={inputId}
          type="file"
          accept="image/*"
          data-testid="identify-input"
          disabled={busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void identify(file);
          }}
        />
      </div>
      {busy && <p role="status">Reading {fileName}…</p>}
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <div data-testid="identify-result" data-recognised={result.recognised?.name ?? ''}>
          {result.recognised ? (
            <Notice kind="success">
              {fileName}: recognised as <strong>{result.recognised.name}</strong> (cosine {result.recognised.score.toFixed(3)} ≥ {result.threshold.toFixed(3)} at security level {result.level}).
            </Notice>
          ) : (
            <Notice kind="info">
              {fileName}: not recognised — nobody enrolled reaches the threshold {result.threshold.toFixed(3)} at security level {result.level}.
            </Notice>
          )}
          {result.candidates.length > 0 && (
            <table>
              <caption>Closest enrolled people</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Cosine</th>
                </tr>
              </thead>
              <tbody>
                {result.candidates.map((c) => (
                  <tr key={c.identityId}>
                    <td>{c.name}</td>
                    <td>{c.score.toFixed(3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
