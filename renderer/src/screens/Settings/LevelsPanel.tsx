// Settings' part about decisions rather than comparisons: what each security level promises for the
// gallery enrolled now (per kiosk visit and per login attempt), the local calibration check with its
// offer of thresholds measured on this camera, and the opt-in cohort of unrecognised faces.
import { useState } from 'react';
import { api, type GalleryStatus, type Settings } from '../../api/client';
import { DriftWarning, useGalleryStatus } from '../../components/GalleryPromise';
import { useAction } from '../../components/useAction';
import { Notice } from '../../components/Notice';
import { clockTime } from '../../components/time';

const rate = (x: number | null) => (x === null ? '—' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`);

function PromiseTable({ status }: { status: GalleryStatus }) {
  return (
    <table data-testid="level-promises">
      <caption>
        What each level promises with {status.people} {status.people === 1 ? 'person' : 'people'} ({status.templates} templates) enrolled
      </caption>
      <thead>
        <tr>
          <th scope="col">Level</th>
          <th scope="col">Kiosk: strangers taken for someone, per visit</th>
          <th scope="col">Kiosk: enrolled people not recognised</th>
          <th scope="col">Login: false accepts per attempt</th>
          <th scope="col">Visit threshold</th>
        </tr>
      </thead>
      <tbody>
        {status.levels.map((l) => (
          <tr key={l.level} data-level={l.level} data-expensive={l.expensive} className={l.level === status.current ? 'current' : undefined}>
            <td>FMR {l.level}{l.level === status.current ? ' (in use)' : ''}{l.expensive ? ' — costly with this gallery' : ''}</td>
            <td>{rate(l.visitFpir)}</td>
            <td>{rate(l.visitFnir)}</td>
            <td>{rate(l.loginFmr)}</td>
            <td>{l.visitThreshold.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LevelsPanel({ settings, save }: { settings: Settings; save: (change: Partial<Settings>) => Promise<void> }) {
  const [cleared, setCleared] = useState(0);
  // `settings` is a new object after every save and every reload (delete-all, restore): re-read then.
  const { status, error } = useGalleryStatus(settings, cleared);
  const clear = useAction();
  const current = status?.levels.find((l) => l.level === status.current);
  const cohort = status?.cohort;

  return (
    <>
      <fieldset>
        <legend>What the level promises here</legend>
        {error && <Notice kind="error">{error}</Notice>}
        {current && <p data-testid="settings-promise">{current.sentence}</p>}
        {status && <PromiseTable status={status} />}
        {status && <DriftWarning status={status} />}
        {status?.drift && !status.drift.warn && <p className="hint" data-testid="drift-quiet">{status.drift.message}</p>}
        <p>
          <label>
            <input type="checkbox" checked={settings.localThresholds} onChange={(e) => void save({ localThresholds: e.target.checked })} /> Use the thresholds measured on this
            camera when the check finds drift
          </label>
        </p>
      </fieldset>

      <fieldset>
        <legend>Unrecognised faces (cohort)</legend>
        <p>
          <label>
            <input type="checkbox" checked={settings.keepUnrecognised} onChange={(e) => void save({ keepUnrecognised: e.target.checked })} /> Keep unrecognised faces
          </label>
        </p>
        <p className="hint" data-testid="cohort-explained">
          When on, each check-in visit that ends “not recognised” keeps one face template: a list of 512 numbers, encrypted, with no name and no picture. At most{' '}
          {cohort?.cap.toLocaleString('en-US') ?? '2,000'} are kept, each for at most {cohort?.maxAgeDays ?? 90} days; the oldest go first. They check this camera
          against the calibration and can help fine-tuning tell enrolled people from others. Off by default.
        </p>
        {cohort && (
          <p data-testid="cohort-count">
            {cohort.count === 0 ? 'No unrecognised faces are kept.' : `${cohort.count.toLocaleString('en-US')} unrecognised ${cohort.count === 1 ? 'face is' : 'faces are'} kept${cohort.oldestAt === null ? '' : `, the oldest from ${new Date(cohort.oldestAt).toLocaleDateString()} ${clockTime(cohort.oldestAt)}`}.`}
          </p>
        )}
        <button
          type="button"
          disabled={clear.busy || !cohort || cohort.count === 0}
          onClick={() =>
            void clear.run(
              async () => {
                const after = await api.cohort.clear();
                return after.count === 0 ? 'Every kept unrecognised face was deleted.' : `${after.count} faces are still kept.`;
              },
              'The unrecognised faces were not deleted',
              { onSettled: () => setCleared((n) => n + 1) },
            )
          }
        >
          Delete the unrecognised faces
        </button>
        {clear.status && <p role="status">{clear.status}</p>}
        {clear.error && <Notice kind="error">{clear.error}</Notice>}
      </fieldset>
    </>
  );
}
