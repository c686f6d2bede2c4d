// What the security level promises for the gallery enrolled now (gallery.status), and the local
// calibration check's warning when this camera's faces drift from the calibration. The numbers are the
// back end's; this only words them. Shown by the kiosk footer, Settings and About.
import { useEffect, useState } from 'react';
import { api, type GalleryStatus, type SecurityLevel } from '../api/client';
import { useAppState } from './AppState';
import { errorText } from './errorText';
import { Notice } from './Notice';

/** gallery.status, re-read when any of `refresh` changes (settings saved or reloaded, a cohort cleared). */
export function useGalleryStatus(...refresh: unknown[]): { status: GalleryStatus | null; error: string } {
  const [status, setStatus] = useState<GalleryStatus | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api.gallery.status().then(
      (s) => live && (setStatus(s), setError('')),
      (e: unknown) => live && setError(`What the level promises could not be read: ${errorText(e)}`),
    );
    return () => {
      live = false;
    };
  }, refresh);
  return { status, error };
}

export function DriftWarning({ status }: { status: GalleryStatus }) {
  const drift = status.drift;
  if (!drift?.warn) return null;
  return (
    <Notice kind="warning" testId="drift-warning">
      {drift.message}
      {drift.usingLocal ? ' The thresholds measured here are in use.' : ' Turn on “Use the thresholds measured on this camera” in Settings to use them.'}
    </Notice>
  );
}

interface PromiseProps {
  level: SecurityLevel;
  repeatGreetingMinutes?: number;
  refresh?: unknown;
}

/** The current level's promise in one sentence (and, for an operator, the drift warning, if any). */
export function GalleryPromise(props: PromiseProps) {
  const { session } = useAppState();
  if (session?.operator) return <OperatorPromise {...props} />;
  // A locked kiosk or a signed-out screen: the sentence session.status gives, nothing more.
  if (!session?.visitPromise) return null;
  return (
    <div className="gallery-promise">
      <p className="muted" data-testid="gallery-promise">
        Security level FMR {props.level}. {session.visitPromise}
        {props.repeatGreetingMinutes !== undefined && ` No repeat greeting within ${props.repeatGreetingMinutes} min.`}
      </p>
    </div>
  );
}

function OperatorPromise({ level, repeatGreetingMinutes, refresh }: PromiseProps) {
  const { status, error } = useGalleryStatus(level, refresh);
  const promise = status?.levels.find((l) => l.level === level);
  return (
    <div className="gallery-promise">
      {error && <p className="hint">{error}</p>}
      {promise && (
        <p className="muted" data-testid="gallery-promise" data-expensive={promise.expensive}>
          Security level FMR {level}. {promise.sentence}
          {repeatGreetingMinutes !== undefined && ` No repeat greeting within ${repeatGreetingMinutes} min.`}
        </p>
      )}
      {status && <DriftWarning status={status} />}
    </div>
  );
}
