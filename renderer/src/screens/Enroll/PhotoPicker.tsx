// Photos for enrollment: a file picker and a drop zone, and one row per photo with its verdict.
import { useId, useState, type DragEvent } from 'react';
import type { PhotoBatch } from './usePhotoBatch';
import { thumbnailUrl } from './sample';

export function PhotoPicker({ batch }: { batch: PhotoBatch }) {
  const inputId = useId();
  const [over, setOver] = useState(false);

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    batch.add([...e.dataTransfer.files]);
  };

  return (
    <div className="photo-picker">
      <div
        className="field"
        style={{ border: `2px dashed ${over ? 'var(--accent)' : 'var(--border)'}`, borderRadius: 'var(--radius)', padding: '1rem', maxWidth: '40rem' }}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label htmlFor={inputId}>Choose photos of this person (one face per photo), or drop them here</label>
        <input
          id={inputId}
          type="file"
          accept="image/*"
          multiple
          data-testid="photo-input"
          onChange={(e) => {
            batch.add([...(e.currentTarget.files ?? [])]);
            // The same file chosen again should be read again.
            e.currentTarget.value = '';
          }}
        />
      </div>
      {batch.items.length > 0 && (
        <ul aria-label="Photos and their verdicts" aria-busy={batch.busy} style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '0.4rem' }}>
          {batch.items.map((item) => (
            <li key={item.key} className="row" style={{ alignItems: 'center' }} data-testid="photo-item" data-verdict={item.verdict}>
              {item.sample ? <img src={thumbnailUrl(item.sample.thumbnail)} alt="" width={48} height={48} /> : <span aria-hidden="true" style={{ width: 48, height: 48, display: 'inline-block', background: 'var(--border)', borderRadius: 6 }} />}
              <span className="file-name">{item.fileName}</span>
              <strong className={item.sample ? '' : 'field-error'}>{item.verdict}</strong>
              {item.detail && <span className="muted">{item.detail}</span>}
              {item.verdict !== 'reading' && item.verdict !== 'enrolled' && (
                <button type="button" className="secondary" onClick={() => batch.remove(item.key)} aria-label={`Remove ${item.fileName}`}>
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
