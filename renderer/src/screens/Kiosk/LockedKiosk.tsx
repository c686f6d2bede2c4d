// The locked check-in kiosk: the check-in screen and nothing else (no navigation; in Electron the
// window is in kiosk mode, without menu or developer tools). Leaving it takes an operator's sign-in.
import { lazy, Suspense, useState } from 'react';
import { api, type SessionStatus } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { OperatorSignIn } from '../Operators/OperatorSignIn';

const KioskScreen = lazy(() => import('./KioskScreen'));

export function LockedKiosk() {
  const { sessionChanged } = useAppState();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState('');

  const leave = async (signedIn: SessionStatus) => {
    try {
      await sessionChanged(signedIn);
      await sessionChanged(await api.kiosk.leave());
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <main className="main kiosk-locked" data-testid="kiosk-locked">
      <Suspense fallback={<p className="muted">Starting the check-in camera…</p>}>
        <KioskScreen />
      </Suspense>
      <div className="kiosk-operator">
        {asking ? (
          <>
            <OperatorSignIn onSignedIn={leave} label="Sign in and leave the kiosk" />
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="secondary" onClick={() => setAsking(true)}>
            Operator
          </button>
        )}
        {error && <Notice kind="error">{error}</Notice>}
      </div>
    </main>
  );
}
