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
        className={`drop-zone${over ? ' drop-over' : ''}`}
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
        <ul className="photo-list" aria-label="Photos and their verdicts" aria-busy={batch.busy}>
          {batch.items.map((item) => (
            <li key={item.key} className={`photo-item verdict-${item.verdict.replace(/ /g, '-')}`} data-testid="photo-item" data-verdict={item.verdict}>
              {item.sample ? <img src={thumbnailUrl(item.sample.thumbnail)} alt="" width={48} height={48} /> : <span className="thumb-placeholder" aria-hidden="true" />}
              <span className="file-name">{item.fileName}</span>
              <strong className="verdict">{item.verdict}</strong>
              {item.detail && <span className="detail">{item.detail}</span>}
              {item.verdict !== 'reading' && item.verdict !== 'enrolled' && (
                <button type="button" onClick={() => batch.remove(item.key)} aria-label={`Remove ${item.fileName}`}>
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
