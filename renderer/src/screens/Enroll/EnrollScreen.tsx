// The enrollment wizard: name -> samples (guided camera capture, or photos) -> duplicate check -> save.
import { useMemo, useState } from 'react';
import { MAX_NAME_LENGTH, MAX_TEMPLATES_PER_CALL } from '../../../../core/contract/api';
import type { Identity } from '../../api/client';
import { Notice } from '../../components/Notice';
import { CaptureSamples } from './CaptureSamples';
import { DuplicateReview } from './DuplicateReview';
import { PhotoPicker } from './PhotoPicker';
import { MIN_SAMPLES } from './poses';
import type { Sample } from './sample';
import { usePhotoBatch } from './usePhotoBatch';

type Step = 'name' | 'samples' | 'review' | 'done';
type Method = 'camera' | 'photos';

const STEPS: { step: Step; title: string }[] = [
  { step: 'name', title: 'Name' },
  { step: 'samples', title: 'Samples' },
  { step: 'review', title: 'Check and save' },
  { step: 'done', title: 'Done' },
];

export function EnrollScreen() {
  const [step, setStep] = useState<Step>('name');
  const [name, setName] = useState('');
  const [notes, setNotes] = useState('');
  const [method, setMethod] = useState<Method>('camera');
  const [captured, setCaptured] = useState<Sample[]>([]);
  const [nameError, setNameError] = useState('');
  const [saved, setSaved] = useState<{ identity: Identity; how: 'created' | 'added'; count: number } | null>(null);
  const photos = usePhotoBatch();

  // Stable while the photos are unchanged, so the duplicate check runs once per set of samples.
  const photoSamples = useMemo(() => photos.items.flatMap((i) => (i.sample ? [i.sample] : [])), [photos.items]);
  const samples = method === 'camera' ? captured : photoSamples;
  const needed = method === 'camera' ? MIN_SAMPLES : 1;
  const tooMany = samples.length > MAX_TEMPLATES_PER_CALL;

  function restart() {
    setStep('name');
    setName('');
    setNotes('');
    setCaptured([]);
    photos.clear();
    setSaved(null);
  }

  return (
    <section className="screen enroll" aria-labelledby="enroll-title">
      <h1 id="enroll-title">Enroll a person</h1>
      <ol className="row" aria-label="Steps" style={{ paddingLeft: '1.2rem', gap: '2rem' }}>
        {STEPS.map((s) => (
          <li key={s.step} aria-current={s.step === step ? 'step' : undefined} style={s.step === step ? { fontWeight: 700, color: 'var(--accent)' } : { color: 'var(--muted)' }}>
            {s.title}
          </li>
        ))}
      </ol>

      {step === 'name' && (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() === '') {
              setNameError('Enter the person’s name.');
              return;
            }
            setNameError('');
            setStep('samples');
          }}
        >
          <div className="field">
            <label htmlFor="enroll-name">Name</label>
            <input id="enroll-name" value={name} maxLength={MAX_NAME_LENGTH} autoFocus autoComplete="off" onChange={(e) => setName(e.target.value)} aria-describedby={nameError ? 'enroll-name-error' : undefined} />
          </div>
          {nameError && (
            <p id="enroll-name-error" className="field-error" role="alert">
              {nameError}
            </p>
          )}
          <div className="field">
            <label htmlFor="enroll-notes">Notes (optional)</label>
            <textarea id="enroll-notes" value={notes} rows={2} onChange={(e) => setNotes(e.target.value)} />
          </div>
          <fieldset>
            <legend>Take the samples</legend>
            <label>
              <input type="radio" name="enroll-method" value="camera" checked={method === 'camera'} onChange={() => setMethod('camera')} /> With the camera (guided)
            </label>
            <label>
              <input type="radio" name="enroll-method" value="photos" checked={method === 'photos'} onChange={() => setMethod('photos')} /> From photos
            </label>
          </fieldset>
          <div className="actions">
            <button type="submit" className="primary">
              Next
            </button>
          </div>
        </form>
      )}

      {step === 'samples' && method === 'camera' && <CaptureSamples samples={captured} onChange={setCaptured} />}
      {method === 'photos' && step !== 'name' && <PhotoPicker batch={photos} />}

      {step === 'samples' && (
        <div className="actions">
          <button type="button" onClick={() => setStep('name')}>
            Back
          </button>
          <button type="button" className="primary" disabled={samples.length < needed || tooMany || photos.busy} onClick={() => setStep('review')}>
            Continue with {samples.length} sample{samples.length === 1 ? '' : 's'}
          </button>
          {samples.length < needed && <span className="muted">{method === 'camera' ? `At least ${MIN_SAMPLES} samples are needed.` : 'Add at least one photo with a face.'}</span>}
          {tooMany && <Notice kind="error">At most {MAX_TEMPLATES_PER_CALL} samples can be saved at once: remove some.</Notice>}
        </div>
      )}

      {step === 'review' && (
        <DuplicateReview
          name={name.trim()}
          notes={notes}
          samples={samples}
          onBack={() => setStep('samples')}
          onSaved={(identity, how) => {
            setSaved({ identity, how, count: samples.length });
            photos.markEnrolled();
            setStep('done');
          }}
        />
      )}

      {step === 'done' && saved && (
        <>
          <Notice kind="success" testId="enroll-done">
            {saved.how === 'created' ? `Enrolled ${saved.identity.name}` : `Added to ${saved.identity.name}`} with {saved.count} sample{saved.count === 1 ? '' : 's'}; {saved.identity.name} now has{' '}
            {saved.identity.templateCount} template{saved.identity.templateCount === 1 ? '' : 's'}.
          </Notice>
          <div className="actions">
            <button type="button" className="primary" onClick={restart}>
              Enroll another person
            </button>
            <a href="#/identities">See all identities</a>
          </div>
        </>
      )}
    </section>
  );
}

export default EnrollScreen;
