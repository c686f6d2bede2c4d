// About: which models do the work, where they come from and under which licence, and how accurate the
// embedder measured on LFW, with the cosine threshold behind each security level.
import { useEffect, useState } from 'react';
import { api, type AppInfo } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { GalleryPromise } from '../../components/GalleryPromise';
import { EventLogNotice, KeyCustodyNotice, StoreProblemsNotice } from '../../components/PrivacyStatus';

const percent = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;

export function AboutScreen() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState('');
  const { settings } = useAppState();

  useEffect(() => {
    api.app.info().then(setInfo, (e: unknown) => setError(`The app information could not be read: ${e instanceof Error ? e.message : String(e)}`));
  }, []);

  return (
    <section className="screen about" aria-labelledby="about-title">
      <h1 id="about-title">About</h1>
      {error && <p role="alert" className="field-error">{error}</p>}
      {!info && !error && <p>Loading…</p>}
      {info && (
        <>
          <p>
            <strong>{info.name}</strong> {info.version}, running in the {info.host === 'electron' ? 'desktop app' : 'browser host'}. Faces are compared as unit vectors on the
            NormFace hypersphere: every comparison is a cosine, and each security level is a cosine threshold measured at a fixed false-match rate. Everything runs on
            this computer; nothing is sent anywhere.
          </p>

          <h2>What the security level promises here</h2>
          <GalleryPromise level={settings.securityLevel} />

          <h2>Accuracy</h2>
          <p data-testid="lfw-accuracy">
            LFW verification accuracy of the face embedder: {info.lfwAccuracy === null ? 'not measured yet (run npm run calibrate)' : percent(info.lfwAccuracy)}
          </p>
          {info.calibration ? (
            <table>
              <caption>Calibration for model {info.calibration.modelId}</caption>
              <thead>
                <tr>
                  <th scope="col">Security level (false-match rate)</th>
                  <th scope="col">Cosine threshold</th>
                  <th scope="col">False non-match rate on LFW</th>
                </tr>
              </thead>
              <tbody>
                {info.calibration.levels.map((l) => (
                  <tr key={l.level}>
                    <td>{l.level}</td>
                    <td>{l.threshold.toFixed(4)}</td>
                    <td>{l.fnmr === null ? '—' : percent(l.fnmr)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="hint">No calibration is installed (models/calibration.json): matching is unavailable until it is.</p>
          )}

          <h2>Models</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">File</th>
                <th scope="col">Architecture</th>
                <th scope="col">Source</th>
                <th scope="col">Licence</th>
                <th scope="col">Installed</th>
              </tr>
            </thead>
            <tbody>
              {info.models.map((m) => (
                <tr key={m.file}>
                  <td>{m.role}</td>
                  <td className="mono" title={`sha256 ${m.sha256}`}>{m.file}</td>
                  <td>{m.architecture}</td>
                  <td>{/^https?:\/\//.test(m.source) ? <span className="mono">{m.source}</span> : m.source}</td>
                  <td>{m.licence}</td>
                  <td>{m.installed ? 'yes' : 'missing (npm run models:install)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Privacy</h2>
          <p>Names, notes, templates, thumbnails and the event log are sealed with AES-256-GCM in the database and its backups.</p>
          <KeyCustodyNotice info={info} />
          <EventLogNotice info={info} quietWhenIntact={false} />
          <StoreProblemsNotice info={info} />
          <p>
            Source code licence: MIT. Inference backend preferred by this host: {info.backendHint === 'webgpu' ? 'WebGPU, with WASM as fallback' : 'WASM'}.
          </p>
        </>
      )}
    </section>
  );
}

export default AboutScreen;
