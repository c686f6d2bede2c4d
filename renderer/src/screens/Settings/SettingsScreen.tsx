// Settings: camera, resolution, inference backend, security level, check-in liveness, the greeting
// window and lock-out policy, and deleting all data. Every change is saved at once through the shell's
// updateSettings, so the camera and the vision worker see it without a reload.
import { useState, type FocusEvent } from 'react';
import type { Settings } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { EventLogNotice, KeyCustodyNotice, StoreProblemsNotice } from '../../components/PrivacyStatus';
import { DeleteAllData } from './DeleteAllData';
import { FleetPanel } from './FleetPanel';
import { LevelsPanel } from './LevelsPanel';
import { OperatorsPanel } from './OperatorsPanel';
import { useCameras } from './useCameras';

const levelNames: Record<Settings['securityLevel'], string> = {
  '1e-3': 'Convenient: 1 false match in 1,000',
  '1e-4': 'Balanced: 1 false match in 10,000',
  '1e-5': 'Strict: 1 false match in 100,000',
};

export function SettingsScreen() {
  const { settings, info, updateSettings, reload } = useAppState();
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const cameras = useCameras();

  async function save(change: Partial<Settings>) {
    setError('');
    setStatus('Saving…');
    try {
      await updateSettings(change);
      setStatus('Saved.');
    } catch (e) {
      setStatus('');
      setError(`That change was not saved: ${errorText(e)}`);
    }
  }

  const threshold = (level: Settings['securityLevel']) => info?.calibration?.levels.find((l) => l.level === level)?.threshold;
  // Number fields save when focus leaves them, so typing "1" on the way to "15" saves nothing.
  const number = (key: 'repeatGreetingMinutes' | 'lockoutAttempts' | 'lockoutMinutes' | 'operatorIdleMinutes', what: string, min: number, max: number) => (e: FocusEvent<HTMLInputElement>) => {
    const v = Number(e.currentTarget.value);
    if (!Number.isInteger(v) || v < min || v > max) {
      setStatus('');
      setError(`${what}: enter a whole number from ${min} to ${max}.`);
      return;
    }
    if (v !== settings[key]) void save({ [key]: v });
  };

  return (
    <section className="screen settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <p role="status" aria-live="polite" className="muted">{status}</p>
      {error && <Notice kind="error">{error}</Notice>}
      <StoreProblemsNotice info={info} />
      <KeyCustodyNotice info={info} />
      <EventLogNotice info={info} />
      <StoreProblemsNotice info={info} />

      <fieldset>
        <legend>Camera</legend>
        <div className="field">
          <label htmlFor="settings-camera">Camera</label>
          <select id="settings-camera" value={settings.cameraId ?? ''} onChange={(e) => void save({ cameraId: e.target.value || null })}>
            <option value="">Default camera</option>
            {cameras.devices.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>{d.label || `Camera ${i + 1}`}</option>
            ))}
            {settings.cameraId && !cameras.devices.some((d) => d.deviceId === settings.cameraId) && <option value={settings.cameraId}>Saved camera (not connected)</option>}
          </select>
        </div>
        {cameras.error && <p className="hint">{cameras.error}</p>}
        <div className="field">
          <label htmlFor="settings-resolution">Resolution</label>
          <select id="settings-resolution" value={settings.resolution} onChange={(e) => void save({ resolution: e.target.value as Settings['resolution'] })}>
            <option value="640x480">640 × 480 (fastest)</option>
            <option value="1280x720">1280 × 720</option>
            <option value="1920x1080">1920 × 1080</option>
          </select>
        </div>
      </fieldset>

      <fieldset>
        <legend>Face analysis</legend>
        <div className="field">
          <label htmlFor="settings-backend">Backend</label>
          <select id="settings-backend" value={settings.backend} onChange={(e) => void save({ backend: e.target.value as Settings['backend'] })}>
            <option value="auto">Automatic (WebGPU when it works, else WASM)</option>
            <option value="webgpu">WebGPU (graphics card)</option>
            <option value="wasm">WASM (processor)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="settings-level">Security level</label>
          <select id="settings-level" value={settings.securityLevel} onChange={(e) => void save({ securityLevel: e.target.value as Settings['securityLevel'] })}>
            {(Object.keys(levelNames) as Settings['securityLevel'][]).map((l) => {
              const t = threshold(l);
              return (
                <option key={l} value={l}>
                  {levelNames[l]}{t === undefined ? '' : ` (cosine ≥ ${t.toFixed(3)})`}
                </option>
              );
            })}
          </select>
        </div>
        {info && !info.calibration && <p className="hint">No calibration is installed yet: matching will refuse until models/calibration.json exists.</p>}
      </fieldset>

      <fieldset>
        <legend>Check-in kiosk</legend>
        <div className="field">
          <label htmlFor="settings-liveness">Liveness for check-in</label>
          <select id="settings-liveness" value={settings.checkinLiveness} onChange={(e) => void save({ checkinLiveness: e.target.value as Settings['checkinLiveness'] })}>
            <option value="off">Off</option>
            <option value="passive">Passive (photo and screen detection)</option>
            <option value="challenge">Passive and a blink or head turn</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="settings-repeat">Do not greet the same person again within (minutes)</label>
          <input id="settings-repeat" type="number" min={0} max={1440} step={1} key={`repeatGreetingMinutes-${settings.repeatGreetingMinutes}`} defaultValue={settings.repeatGreetingMinutes} onBlur={number('repeatGreetingMinutes', 'Greeting window', 0, 1440)} />
        </div>
      </fieldset>

      <LevelsPanel settings={settings} save={save} />

      <fieldset>
        <legend>Login lock-out</legend>
        <div className="field">
          <label htmlFor="settings-attempts">Failed attempts before locking</label>
          <input id="settings-attempts" type="number" min={1} max={100} step={1} key={`lockoutAttempts-${settings.lockoutAttempts}`} defaultValue={settings.lockoutAttempts} onBlur={number('lockoutAttempts', 'Failed attempts', 1, 100)} />
        </div>
        <div className="field">
          <label htmlFor="settings-lock-minutes">Lock for (minutes)</label>
          <input id="settings-lock-minutes" type="number" min={1} max={10080} step={1} key={`lockoutMinutes-${settings.lockoutMinutes}`} defaultValue={settings.lockoutMinutes} onBlur={number('lockoutMinutes', 'Lock time', 1, 10080)} />
        </div>
      </fieldset>

      <OperatorsPanel />
      <fieldset>
        <legend>Operator sessions</legend>
        <div className="field">
          <label htmlFor="settings-idle">Sign an idle operator out after (minutes)</label>
          <input id="settings-idle" type="number" min={1} max={120} step={1} key={`operatorIdleMinutes-${settings.operatorIdleMinutes}`} defaultValue={settings.operatorIdleMinutes} onBlur={number('operatorIdleMinutes', 'Idle time', 1, 120)} />
        </div>
      </fieldset>
      <FleetPanel />

      <fieldset>
        <legend>Data</legend>
        <p>
          Data folder: <span className="mono">{info ? (info.host === 'browser' ? 'printed by the browser host when it starts (--data to change it)' : 'the app’s user-data folder') : '…'}</span>
        </p>
        <DeleteAllData
          onDeleted={() => {
            setStatus('All data was deleted.');
            void reload();
          }}
        />
      </fieldset>
    </section>
  );
}

export default SettingsScreen;
