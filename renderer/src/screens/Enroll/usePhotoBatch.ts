// Photos in, Samples out: each file is read by the vision worker in turn and gets its own verdict;
// a file that fails (unreadable, no face...) never stops the ones after it.
import { useCallback, useRef, useState } from 'react';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { sharedVision } from '../../vision/Vision';
import { verdictOf, type PhotoVerdict } from './photoVerdict';
import { storedQuality } from '../../../../core/contract/quality';
import { sampleKey, type Sample } from './sample';

export interface PhotoItem {
  key: string;
  fileName: string;
  verdict: PhotoVerdict;
  /** Why, when the photo was refused. */
  detail: string;
  sample?: Sample;
}

export interface PhotoBatch {
  items: PhotoItem[];
  busy: boolean;
  add(files: Iterable<File>): void;
  remove(key: string): void;
  /** After a save: every accepted photo is now enrolled. */
  markEnrolled(): void;
  clear(): void;
}

export function usePhotoBatch(): PhotoBatch {
  const { settings } = useAppState();
  const [items, setItems] = useState<PhotoItem[]>([]);
  const [pending, setPending] = useState(0);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const update = (key: string, change: Partial<PhotoItem>) => setItems((all) => all.map((i) => (i.key === key ? { ...i, ...change } : i)));

  const add = useCallback(
    (files: Iterable<File>) => {
      const fresh = [...files].map((file) => ({ file, item: { key: sampleKey(), fileName: file.name, verdict: 'reading' as PhotoVerdict, detail: '' } }));
      if (fresh.length === 0) return;
      setItems((all) => [...all, ...fresh.map((f) => f.item)]);
      setPending((n) => n + fresh.length);
      const backend = settings.backend;
      // One photo at a time, in the order given: the worker runs one pipeline.
      for (const { file, item } of fresh) {
        queue.current = queue.current.then(async () => {
          try {
            const vision = await sharedVision(backend);
            const result = await vision.photo(file);
            if (result.ok) {
              const sample: Sample = { key: item.key, vector: result.template, quality: storedQuality(result.quality), thumbnail: result.thumbnail, source: 'photo', label: file.name };
              update(item.key, { verdict: 'face found', detail: '', sample });
            } else {
              update(item.key, { verdict: verdictOf(result.code), detail: result.message });
            }
          } catch (e) {
            update(item.key, { verdict: 'not read', detail: `${errorText(e)} Try the photo again once this is fixed.` });
          } finally {
            setPending((n) => n - 1);
          }
        });
      }
    },
    [settings.backend],
  );

  const remove = useCallback((key: string) => setItems((all) => all.filter((i) => i.key !== key)), []);
  const markEnrolled = useCallback(() => setItems((all) => all.map((i) => (i.sample ? { ...i, verdict: 'enrolled' } : i))), []);
  const clear = useCallback(() => setItems([]), []);
  return { items, busy: pending > 0, add, remove, markEnrolled, clear };
}
