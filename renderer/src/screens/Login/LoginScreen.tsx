// Login (1:1): say who you are, look at the camera and do the gesture asked. The screen sends the
// attempt's frames (measurements, templates) to the login call with a challenge the back end issued when the
// attempt started; the back end replays the liveness rule over them, fuses the templates and decides.
// The guidance shown comes from that same rule (core/liveness). Operators sign in here too.
import { useCallback, useRef, useState } from 'react';
import { api, type Verdict } from '../../api/client';
import { CameraView } from '../../camera/CameraView';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { levelText } from '../../components/securityLevel';
import { clockTime } from '../../components/time';
import { PASSIVE_LIVE } from '../../../../core/liveness/passive';
import type { LivenessJudgement } from '../../../../core/liveness/judge';
import type { FrameResult } from '../../vision/protocol';
import { OperatorSignIn } from '../Operators/OperatorSignIn';
import { LOGIN_FRAME_OPTIONS, LoginAttempt } from './loginAttempt';

/** What this screen measured over the frames it sent (the back end judges the same frames itself). */
type Sent = LivenessJudgement;
type Phase = { name: 'pick' } | { name: 'looking'; instruction: string } | { name: 'checking' } | { name: 'done'; verdict: Verdict; sent: Sent } | { name: 'failed'; message: string };


/** What to do about a failed liveness check, from the part of the rule the back end said failed. */
function livenessAdvice(verdict: Verdict, sent: Sent): string {
  switch (verdict.livenessReason) {
    case 'passive':
      return `The camera did not see a live face clearly enough (passive score ${sent.details.passive.toFixed(2)}, needs ${PASSIVE_LIVE.toFixed(2)}): face the camera in even light, then try again.`;
    case 'planar':
      return 'The face moved as a flat picture does: a photo or a screen cannot log in. Look at the camera yourself, then try again.';
    case 'frozen':
      return 'The picture did not change from frame to frame, as a photo does: look at the camera yourself, then try again.';
    default:
      return 'No blink or head turn was seen: when asked, blink once (or turn your head and back), then try again.';
  }
}

function VerdictView({ verdict, who, sent }: { verdict: Verdict; who: string; sent: Sent }) {
  const score = verdict.score === null ? '' : ` Score ${verdict.score.toFixed(3)}, threshold ${verdict.threshold.toFixed(3)}.`;
  return (
    <div
      data-testid="verdict"
      data-accepted={String(verdict.accepted)}
      data-reason={verdict.reason}
      data-liveness={verdict.livenessReason ?? ''}
      data-passive={sent.details.passive.toFixed(3)}
      data-challenge={sent.details.challenge ?? 'none'}
    >
      <Notice kind={verdict.accepted ? 'success' : 'error'}>
        <p className="verdict">{verdict.accepted ? `Logged in as ${who}.` : verdict.message}</p>
        {verdict.reason === 'liveness-failed' && <p>{livenessAdvice(verdict, sent)}</p>}
        <p>
          Security level: {levelText(verdict.level)}.{score}
        </p>
        {verdict.attemptsLeft !== null && !verdict.accepted && (
          <p data-testid="attempts-left">
            {verdict.attemptsLeft} attempt{verdict.attemptsLeft === 1 ? '' : 's'} left before this identity is locked.
          </p>
        )}
        {verdict.lockedUntil !== null && <p data-testid="locked">Locked until {clockTime(verdict.lockedUntil)}: ask an administrator or wait.</p>}
      </Notice>
    </div>
  );
}

export default function LoginScreen() {
  const { settings, session, sessionChanged } = useAppState();
  const [who, setWho] = useState('');
  const [phase, setPhase] = useState<Phase>({ name: 'pick' });
  const attempt = useRef<{ a: LoginAttempt; challenge: string } | null>(null);

  const start = async () => {
    setPhase({ name: 'looking', instruction: 'Look at the camera.' });
    try {
      // Asked for as the camera starts: the back end accepts this attempt once, within a minute.
      attempt.current = { a: new LoginAttempt(), challenge: (await api.attempt.challenge()).challenge };
    } catch (e) {
      setPhase({ name: 'failed', message: `The login cannot start: ${errorText(e)}` });
    }
  };

  const submit = useCallback(
    async (a: LoginAttempt, challenge: string, sent: Sent) => {
      const name = who.trim();
      if (!name) return;
      setPhase({ name: 'checking' });
      try {
        const verdict = await api.login({ name, challenge, evidence: a.evidence() });
        setPhase({ name: 'done', verdict, sent });
      } catch (e) {
        setPhase({ name: 'failed', message: `The login could not be checked: ${errorText(e)}` });
      }
    },
    [who],
  );

  const onAnalysis = useCallback(
    (frame: FrameResult) => {
      const current = attempt.current;
      if (!current) return;
      const state = current.a.observe(frame, performance.now());
      if (state.ready) {
        attempt.current = null;
        void submit(current.a, current.challenge, state.judgement);
      } else setPhase((p) => (p.name === 'looking' && p.instruction === state.instruction ? p : { name: 'looking', instruction: state.instruction }));
    },
    [submit],
  );

  const looking = phase.name === 'looking';
  return (
    <section aria-labelledby="login-title" data-testid="login" data-phase={phase.name}>
      <h1 id="login-title">Log in</h1>
      <div className="row">
        <div>
          <div className="field">
            <label htmlFor="login-name">Your name</label>
            <input
              id="login-name"
              value={who}
              autoComplete="name"
              onChange={(e) => {
                setWho(e.target.value);
                attempt.current = null;
                setPhase({ name: 'pick' });
              }}
            />
          </div>
          <div className="actions">
            <button type="button" onClick={() => void start()} disabled={!who.trim() || looking || phase.name === 'checking'}>
              {phase.name === 'done' || phase.name === 'failed' ? 'Try again' : 'Start'}
            </button>
          </div>
          <p className="muted">Security level: {levelText(settings.securityLevel)}.</p>
          {phase.name === 'checking' && <Notice>Checking…</Notice>}
          {phase.name === 'done' && <VerdictView verdict={phase.verdict} who={who.trim()} sent={phase.sent} />}
          {phase.name === 'failed' && <Notice kind="error">{phase.message}</Notice>}
        </div>
        {looking && <CameraView options={LOGIN_FRAME_OPTIONS} onAnalysis={onAnalysis} prompt={phase.instruction} label="Camera for login" />}
      </div>
      <h2>Operators</h2>
      {session?.operator ? (
        <p data-testid="operator-here">Signed in as operator {session.operator.name}. The session ends after {session.operator.idleMinutes} idle minutes.</p>
      ) : (
        <OperatorSignIn onSignedIn={sessionChanged} />
      )}
    </section>
  );
}
