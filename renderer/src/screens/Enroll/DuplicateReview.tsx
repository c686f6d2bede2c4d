// The last step before saving: does the new face already match someone enrolled, at the security
// level in force? If so, say who and how closely, and let the person choose what to do.
import { useEffect, useState } from 'react';
import { api, type DuplicateCheck, type Identity } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { newTemplate, type Sample } from './sample';

export interface DuplicateReviewProps {
  name: string;
  notes: string;
  samples: Sample[];
  onSaved(identity: Identity, how: 'created' | 'added'): void;
  onBack(): void;
}

export function DuplicateReview({ name, notes, samples, onSaved, onBack }: DuplicateReviewProps) {
  const { settings } = useAppState();
  const [check, setCheck] = useState<DuplicateCheck | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setCheck(null);
    api.enroll.checkDuplicate({ templates: samples.map((s) => s.vector), level: settings.securityLevel }).then(
      (c) => live && setCheck(c),
      (e: unknown) => live && setError(`The duplicate check could not run: ${errorText(e)}`),
    );
    return () => {
      live = false;
    };
  }, [samples, settings.securityLevel]);

  async function save(into: string | null) {
    setBusy(true);
    setError('');
    try {
      const templates = samples.map(newTemplate);
      if (into) onSaved(await api.identities.addTemplates({ id: into, templates }), 'added');
      else onSaved(await api.identities.create({ name, notes, templates }), 'created');
    } catch (e) {
      setError(`Nothing was saved: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  }

  const dup = check?.duplicate ?? null;
  return (
    <section className="review" aria-labelledby="review-title">
      <h2 id="review-title">Check and save</h2>
      <p>
        {samples.length} sample{samples.length === 1 ? '' : 's'} for <strong>{name}</strong>.
      </p>
      {!check && !error && <p role="status">Comparing with everyone enrolled…</p>}
      {check && !dup && (
        <Notice kind="success" testId="duplicate-none">
          No enrolled person matches this face at security level {check.level} (cosine threshold {check.threshold.toFixed(3)}).
        </Notice>
      )}
      {check && dup && (
        <Notice kind="warning" testId="duplicate-found">
          This face already matches <strong>{dup.name}</strong> (cosine {dup.score.toFixed(3)}, threshold {check.threshold.toFixed(3)} at security level {check.level}). If this is{' '}
          {dup.name}, add the samples to them instead of enrolling the same person twice.
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div className="actions">
        <button type="button" onClick={onBack} disabled={busy}>
          Back
        </button>
        {dup && (
          <button type="button" disabled={busy} onClick={() => void save(dup.identityId)}>
            Add to {dup.name} instead
          </button>
        )}
        <button type="button" className="primary" disabled={busy || (!check && !error)} onClick={() => void save(null)}>
          {dup ? `Save ${name} as a new person anyway` : `Save ${name}`}
        </button>
      </div>
    </section>
  );
}
