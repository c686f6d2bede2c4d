// One user action at a time, with its outcome as a sentence: busy while it runs, then a status
// line on success or "<failure>: <reason>" on error.
import { useState } from 'react';
import { errorText } from './errorText';

export interface ActionHooks {
  /** After the work succeeded (e.g. tell the parent its list changed). */
  onSuccess?: () => void;
  /** After the work, whatever happened (e.g. reload a list). */
  onSettled?: () => void;
}

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');

  async function run(work: () => Promise<string>, failure: string, hooks: ActionHooks = {}): Promise<void> {
    setBusy(true);
    setError('');
    setStatus('');
    try {
      setStatus(await work());
      hooks.onSuccess?.();
    } catch (e) {
      setError(`${failure}: ${errorText(e)}`);
    } finally {
      setBusy(false);
      hooks.onSettled?.();
    }
  }

  return { busy, error, status, setError, setStatus, run };
}
