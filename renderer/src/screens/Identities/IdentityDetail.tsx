// One person: rename, notes, their templates (remove any), add samples from the camera or from
// photos, and delete them after a confirmation.
import { useCallback, useEffect, useState } from 'react';
import { api, type Identity } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorText } from '../../components/errorText';
import { useAction } from '../../components/useAction';
import { Notice } from '../../components/Notice';
import { CaptureSamples } from '../Enroll/CaptureSamples';
import { PhotoPicker } from '../Enroll/PhotoPicker';
import { newTemplate, thumbnailUrl, type Sample } from '../Enroll/sample';
import { usePhotoBatch } from '../Enroll/usePhotoBatch';

export interface IdentityDetailProps {
  id: string;
  /** After a change the list shows (name, template count) or a deletion. */
  onChanged(): void;
  onClose(): void;
}

type Adding = null | 'camera' | 'photos';

export function IdentityDetail({ id, onChanged, onClose }: IdentityDetailProps) {
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [name, setName] = useState('');
  const [notes, setNotes] = useState('');
  const { busy, error, status, setError, setStatus, run: act } = useAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [adding, setAdding] = useState<Adding>(null);
  const [captured, setCaptured] = useState<Sample[]>([]);
  const photos = usePhotoBatch();

  const show = useCallback((i: Identity) => {
    setIdentity(i);
    setName(i.name);
    setNotes(i.notes);
  }, []);

  useEffect(() => {
    setIdentity(null);
    setError('');
    setStatus('');
    api.identities.get({ id }).then(show, (e: unknown) => setError(`This person could not be read: ${errorText(e)}`));
  }, [id, show]);

  const run = (work: () => Promise<string>, failure: string) => act(work, failure, { onSuccess: onChanged });

  if (!identity) {
    return <section className="panel identity-detail">{error ? <Notice kind="error">{error}</Notice> : <p>Loading…</p>}</section>;
  }

  const pending = adding === 'camera' ? captured : photos.items.flatMap((i) => (i.sample ? [i.sample] : []));
  const addSamples = () =>
    run(async () => {
      const updated = await api.identities.addTemplates({ id, templates: pending.map(newTemplate) });
      show(updated);
      photos.markEnrolled();
      setCaptured([]);
      setAdding(null);
      return `Added ${pending.length} sample${pending.length === 1 ? '' : 's'} to ${updated.name}.`;
    }, 'The samples were not added');

  return (
    <section className="panel identity-detail" aria-labelledby="identity-title">
      <h2 id="identity-title">{identity.name}</h2>
      <p role="status" aria-live="polite" className="muted">{status}</p>
      {error && <Notice kind="error">{error}</Notice>}
      {identity.lockedUntil && <Notice kind="warning">Login is locked after failed attempts until {new Date(identity.lockedUntil).toLocaleTimeString()}.</Notice>}

      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            show(await api.identities.rename({ id, name, notes }));
            return 'Saved.';
          }, 'The name was not changed');
        }}
      >
        <div className="field">
          <label htmlFor="identity-name">Name</label>
          <input id="identity-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="identity-notes">Notes</label>
          <textarea id="identity-notes" value={notes} rows={2} onChange={(e) => setNotes(e.target.value)} />
        </div>
        <div className="actions">
          <button type="submit" disabled={busy || name.trim() === '' || (name === identity.name && notes === identity.notes)}>
            Save name and notes
          </button>
        </div>
      </form>

      <h3>Templates ({identity.templateCount})</h3>
      <ul className="thumbs" aria-label={`Templates of ${identity.name}`} style={{ listStyle: 'none', padding: 0 }}>
        {identity.templates.map((t, i) => (
          <li key={t.id} style={{ display: 'grid', gap: '0.25rem', justifyItems: 'center' }}>
            {t.thumbnail ? <img src={thumbnailUrl(t.thumbnail)} alt={`Template ${i + 1} (${t.source})`} width={96} height={96} /> : <span className="muted">no picture</span>}
            <span className="muted">
              {t.source}, quality {t.quality.score.toFixed(2)}
            </span>
            <button
              type="button"
              disabled={busy || identity.templates.length === 1}
              title={identity.templates.length === 1 ? 'The last template cannot be removed: delete the person instead.' : undefined}
              aria-label={`Remove template ${i + 1}`}
              onClick={() =>
                void run(async () => {
                  show(await api.identities.removeTemplate({ id, templateId: t.id }));
                  return 'Template removed.';
                }, 'The template was not removed')
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>

      <h3>Add samples</h3>
      <div className="actions">
        <button type="button" aria-pressed={adding === 'camera'} onClick={() => setAdding(adding === 'camera' ? null : 'camera')}>
          With the camera
        </button>
        <button type="button" aria-pressed={adding === 'photos'} onClick={() => setAdding(adding === 'photos' ? null : 'photos')}>
          From photos
        </button>
      </div>
      {adding === 'camera' && <CaptureSamples samples={captured} onChange={setCaptured} />}
      {adding === 'photos' && <PhotoPicker batch={photos} />}
      {adding && (
        <div className="actions">
          <button type="button" className="primary" disabled={busy || pending.length === 0 || photos.busy} onClick={() => void addSamples()}>
            Add {pending.length} sample{pending.length === 1 ? '' : 's'} to {identity.name}
          </button>
        </div>
      )}

      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
          Delete {identity.name}…
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${identity.name}?`}
        confirmLabel={`Delete ${identity.name}`}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => {
          setConfirmDelete(false);
          void run(async () => {
            await api.identities.delete({ id });
            onClose();
            return `${identity.name} was deleted.`;
          }, `${identity.name} was not deleted`);
        }}
      >
        <p>
          Their {identity.templateCount} template{identity.templateCount === 1 ? '' : 's'} are deleted too, and they will no longer be recognised. Past check-ins stay in
          the log.
        </p>
      </ConfirmDialog>
    </section>
  );
}
