// Fine-tuning (native-train): start a run, watch its progress and loss, compare identification before
// and after on held-out templates, then accept the new agents or roll back to the ones in force.
// Disabled with the back end's own sentence when this host offers no training.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type TrainingOptions, type TrainingRun } from '../../api/client';
import { errorText as message } from '../../components/errorText';
import { LossCurve, type LossPoint } from './LossCurve';

const POLL_MS = 500;


const stateText: Record<TrainingRun['state'], string> = {
  idle: 'Not started',
  running: 'Training…',
  done: 'Finished: review the figures, then accept or leave it',
  failed: 'Failed',
  cancelled: 'Cancelled',
  accepted: 'Accepted: identification uses the new agents',
  'rolled-back': 'Rolled back',
};

function figure(v: number | undefined, asPercent: boolean): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return asPercent ? `${(v * 100).toFixed(1)} %` : v.toFixed(4);
}

export function TrainingScreen() {
  const [run, setRun] = useState<TrainingRun | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [loss, setLoss] = useState<TrainingOptions['loss']>('softmax');
  const [epochs, setEpochs] = useState(20);
  const [curve, setCurve] = useState<LossPoint[]>([]);
  const timer = useRef<number | null>(null);

  const observe = useCallback((r: TrainingRun | null) => {
    setRun(r);
    // The back end keeps the whole curve, so a run too quick for any poll still draws every step.
    if (r && r.state !== 'idle') setCurve(r.lossCurve);
  }, []);

  const poll = useCallback(async () => {
    try {
      const r = await api.training.status();
      observe(r);
      if (r?.state === 'running') timer.current = window.setTimeout(() => void poll(), POLL_MS);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unavailable') setUnavailable(e.message);
      else setError(`The training status could not be read: ${message(e)}`);
    }
  }, [observe]);

  useEffect(() => {
    void poll();
    return () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    };
  }, [poll]);

  async function act(done: string, failure: string, work: () => Promise<unknown>) {
    setError('');
    setStatus('');
    try {
      await work();
      setStatus(done);
    } catch (e) {
      setError(`${failure}: ${message(e)}`);
    }
  }

  const start = () =>
    act('Training started.', 'Training could not start', async () => {
      setCurve([]);
      observe(await api.training.start({ options: { loss, epochs } }));
      void poll();
    });

  const disabled = unavailable !== null;
  const running = run?.state === 'running';
  const m = run?.metrics ?? {};

  return (
    <section className="screen training" aria-labelledby="training-title">
      <h1 id="training-title">Fine-tuning</h1>
      <p>
        Learns one agent per enrolled person from their templates (NormFace’s normalised softmax), then checks on held-out templates that identification gets
        better before offering the result. Nothing changes until you accept it.
      </p>
      {disabled && (
        <p role="note" className="notice notice-warning" data-testid="training-unavailable">
          Fine-tuning is not available here: {unavailable}
        </p>
      )}
      {error && <p role="alert" className="field-error">{error}</p>}
      <p role="status" aria-live="polite" className="muted">{status}</p>

      <fieldset disabled={disabled || running}>
        <legend>New run</legend>
        <div className="field">
          <label htmlFor="training-loss">Loss</label>
          <select id="training-loss" value={loss} onChange={(e) => setLoss(e.target.value as TrainingOptions['loss'])}>
            <option value="softmax">Normalised softmax</option>
            <option value="softmax+contrastive">Softmax + C-contrastive</option>
            <option value="softmax+triplet">Softmax + C-triplet</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="training-epochs">Epochs</label>
          <input id="training-epochs" type="number" min={1} max={1000} value={epochs} onChange={(e) => setEpochs(Math.max(1, Math.min(1000, Math.round(Number(e.target.value) || 1))))} />
        </div>
        <button type="button" onClick={() => void start()}>Start training</button>
      </fieldset>

      <h2>Current run</h2>
      <p>{run ? stateText[run.state] : disabled ? 'Unavailable' : 'No run yet.'}{run?.message ? ` — ${run.message}` : ''}</p>
      <div className="field">
        <label htmlFor="training-progress">Progress</label>
        <progress id="training-progress" max={1} value={run?.progress ?? 0} aria-valuetext={`${Math.round((run?.progress ?? 0) * 100)} %`} />
      </div>
      {running && (
        <button type="button" onClick={() => void act('Cancelled.', 'The run was not cancelled', async () => observe(await api.training.cancel()))}>Cancel</button>
      )}
      <LossCurve points={curve} />

      <table>
        <caption>Held-out identification</caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Rank-1 accuracy</td>
            <td>{figure(m['rank1Before'], true)}</td>
            <td>{figure(m['rank1After'], true)}</td>
          </tr>
          <tr>
            <td>False non-identification rate</td>
            <td>{figure(m['fnirBefore'], true)}</td>
            <td>{figure(m['fnirAfter'], true)}</td>
          </tr>
        </tbody>
      </table>

      <div className="actions">
        <button type="button" disabled={disabled || run?.state !== 'done'} onClick={() => void act('Accepted: identification now uses the new agents.', 'The run was not accepted', async () => run && observe(await api.training.accept({ runId: run.id })))}>
          Accept the new agents
        </button>
        <button type="button" disabled={disabled || running} onClick={() => void act('Rolled back to the previous agents.', 'Nothing was rolled back', async () => { await api.training.rollback(); await poll(); })}>
          Roll back
        </button>
      </div>
    </section>
  );
}

export default TrainingScreen;
