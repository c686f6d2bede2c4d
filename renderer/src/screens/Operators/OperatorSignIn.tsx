// An operator's sign-in: name and passphrase, always; for an operator tied to an enrolled face, the
// back end also asks for the face, and this form then gathers a login attempt from the camera.
import { useCallback, useRef, useState, type FormEvent } from 'react';
import { api, type SessionStatus } from '../../api/client';
import { CameraView } from '../../camera/CameraView';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import type { FrameResult } from '../../vision/protocol';
import { LOGIN_FRAME_OPTIONS, LoginAttempt } from '../Login/loginAttempt';


export function OperatorSignIn({ onSignedIn, label = 'Sign in as operator' }: { onSignedIn(s: SessionStatus): void | Promise<void>; label?: string }) {
  const [name, setName] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [face, setFace] = useState<{ instruction: string } | null>(null);
  const attempt = useRef<{ a: LoginAttempt; challenge: string } | null>(null);

  const signIn = useCallback(
    async (withFace?: { a: LoginAttempt; challenge: string }) => {
      setBusy(true);
      setError('');
      try {
        const s = await api.operators.signIn(withFace ? { name, passphrase, challenge: withFace.challenge, evidence: withFace.a.evidence() } : { name, passphrase });
        setPassphrase('');
        setFace(null);
        await onSignedIn(s);
      } catch (e) {
        const text = errorText(e);
        // The back end asks for the face of an operator tied to one: look at the camera, then send both.
        if (!withFace && /their face/.test(text)) {
          attempt.current = { a: new LoginAttempt(), challenge: (await api.attempt.challenge()).challenge };
          setFace({ instruction: 'Look at the camera.' });
        } else {
          setFace(null);
          setError(text);
        }
      } finally {
        setBusy(false);
      }
    },
    [name, passphrase, onSignedIn],
  );

  const onAnalysis = useCallback(
    (frame: FrameResult) => {
      const current = attempt.current;
      if (!current) return;
      const state = current.a.observe(frame, performance.now());
      if (state.ready) {
        attempt.current = null;
        void signIn(current);
      } else setFace((f) => (f && f.instruction === state.instruction ? f : { instruction: state.instruction }));
    },
    [signIn],
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void signIn();
  };

  return (
    <form className="operator-sign-in" onSubmit={submit} data-testid="operator-sign-in">
      <div className="field">
        <label htmlFor="operator-name">Operator name</label>
        <input id="operator-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" required />
      </div>
      <div className="field">
        <label htmlFor="operator-passphrase">Operator passphrase</label>
        <input id="operator-passphrase" type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="current-password" required />
      </div>
      <div className="actions">
        <button type="submit" disabled={busy || face !== null}>
          {label}
        </button>
      </div>
      {error && (
        <Notice kind="error" testId="operator-sign-in-error">
          {error}
        </Notice>
      )}
      {face && <CameraView options={LOGIN_FRAME_OPTIONS} onAnalysis={onAnalysis} prompt={face.instruction} label="Camera for the operator's face" />}
    </form>
  );
}
