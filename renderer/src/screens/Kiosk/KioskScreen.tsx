// Check-in kiosk (1:N): sends each visit's evidence to the back end, which decides it (checkins.visit)
// and logs the check-in; the screen greets with the time, says when the person was already checked
// in, says "not recognised" to strangers (logging nothing), and relays the liveness advice.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type CheckIn } from '../../api/client';
import { CameraView } from '../../camera/CameraView';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { clockTime } from '../../components/time';
import type { FrameResult } from '../../vision/protocol';
import { sharedVision } from '../../vision/Vision';
import { GalleryPromise } from '../../components/GalleryPromise';
import { KioskVisit } from './visit';

type Message = { kind: 'greeting'; checkIn: CheckIn } | { kind: 'repeat'; checkIn: CheckIn } | { kind: 'stranger' } | { kind: 'liveness'; text: string } | { kind: 'error'; text: string };

/** A greeting stays this long after the person leaves. */
const MESSAGE_MS = 6000;

/** For an operator on the (unlocked) check-in screen: lock this window into the kiosk and sign out. */
function StartKiosk() {
  const { session, sessionChanged } = useAppState();
  const [error, setError] = useState('');
  if (!session?.operator || session.kiosk) return null;
  return (
    <div className="actions">
      <button type="button" onClick={() => api.kiosk.start().then(sessionChanged, (e: unknown) => setError(errorText(e)))}>
        Start the check-in kiosk
      </button>
      <span className="hint">Locks this screen to check-in only and signs you out; leaving it needs an operator's sign-in.</span>
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

export default function KioskScreen() {
  const { settings } = useAppState();
  const [message, setMessage] = useState<Message | null>(null);
  const [marks, setMarks] = useState<{ cameraLiveAt?: number; firstFaceAt?: number; greetedAt?: number }>({});
  const liveness = settings.checkinLiveness;
  const visit = useRef(new KioskVisit(liveness));
  const busy = useRef(false);
  const clearTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [wantsTemplates, setWantsTemplates] = useState(true);

  useEffect(() => {
    visit.current = new KioskVisit(liveness);
  }, [liveness]);

  useEffect(() => {
    void sharedVision(settings.backend).catch(() => undefined); // start loading models now; CameraView reports failures
    return () => clearTimeout(clearTimer.current);
  }, [settings.backend]);

  const show = (m: Message | null) => {
    clearTimeout(clearTimer.current);
    setMessage(m);
  };

  const onAnalysis = useCallback(
    (frame: FrameResult) => {
      const now = performance.now();
      const v = visit.current;
      const step = v.observe(frame, now, busy.current);
      if (v.firstFaceAt !== null) setMarks((m) => (m.firstFaceAt === undefined ? { ...m, firstFaceAt: v.firstFaceAt! } : m));
      setWantsTemplates(v.wantsTemplates);
      if (step.kind === 'left') {
        clearTimeout(clearTimer.current);
        clearTimer.current = setTimeout(() => setMessage(null), MESSAGE_MS);
        return;
      }
      if (step.kind !== 'send') return;
      busy.current = true;
      void (async () => {
        try {
          // Each visit carries a fresh single-use value from the back end: a recorded visit cannot be replayed.
          const { challenge } = await api.attempt.challenge();
          const answer = await api.checkins.visit({ challenge, evidence: step.evidence });
          v.answered(answer.outcome);
          setWantsTemplates(v.wantsTemplates);
          if (answer.outcome === 'liveness') show({ kind: 'liveness', text: answer.message });
          else if (answer.outcome === 'not-recognised') show({ kind: 'stranger' });
          else if (answer.checkIn) {
            show({ kind: answer.outcome, checkIn: answer.checkIn });
            setMarks((m) => (m.greetedAt === undefined ? { ...m, greetedAt: performance.now() } : m));
          }
        } catch (e) {
          show({ kind: 'error', text: `Check-in is not working: ${errorText(e)}` });
        } finally {
          busy.current = false;
        }
      })();
    },
    [],
  );

  return (
    <section
      aria-labelledby="kiosk-title"
      data-testid="kiosk"
      data-camera-live-at={marks.cameraLiveAt}
      data-first-face-at={marks.firstFaceAt}
      data-greeted-at={marks.greetedAt}
    >
      <h1 id="kiosk-title">Check-in</h1>
      <StartKiosk />
      <div className="row">
        {/* A challenged visit is judged by the liveness rule, which reads the landmarks' geometry: its frames get the full detector, as a login's do (loginAttempt.ts). */}
        <CameraView
          options={{ embed: wantsTemplates, passive: liveness !== 'off' && wantsTemplates, eyes: liveness === 'challenge' && wantsTemplates, thumbnail: false, detect: liveness === 'challenge' && wantsTemplates, patch: liveness === 'challenge' && wantsTemplates }}
          onAnalysis={onAnalysis}
          onCameraLive={(at) => setMarks((m) => ({ ...m, cameraLiveAt: at }))}
          accent={message?.kind === 'greeting' || message?.kind === 'repeat' ? '#3ddc84' : message?.kind === 'stranger' ? '#ff5a4e' : null}
          label="Check-in camera"
        />
        <div className="kiosk-panel" aria-live="assertive" data-testid="kiosk-message" data-kind={message?.kind ?? ''}>
          {message === null && <p className="muted">Step up to the camera to check in.</p>}
          {message?.kind === 'greeting' && (
            <>
              <p className="greeting">Welcome, {message.checkIn.name}!</p>
              <p>Checked in at {clockTime(message.checkIn.at)}.</p>
            </>
          )}
          {message?.kind === 'repeat' && <p className="verdict">{message.checkIn.name}, you are already checked in.</p>}
          {message?.kind === 'stranger' && (
            <>
              <p className="stranger">Not recognised</p>
              <p>Please ask at the desk: someone there can check you in.</p>
            </>
          )}
          {message?.kind === 'liveness' && <Notice kind="warning">{message.text}</Notice>}
          {message?.kind === 'error' && <Notice kind="error">{message.text}</Notice>}
          <GalleryPromise level={settings.securityLevel} repeatGreetingMinutes={settings.repeatGreetingMinutes} />
        </div>
      </div>
    </section>
  );
}
