// Choose an enrolled identity by typing part of the name (a <datalist> keeps it keyboard-friendly).
import { useEffect, useId, useState } from 'react';
import { api, type IdentitySummary } from '../api/client';
import { errorText } from './errorText';

export function IdentityPicker({ value, onChange, label = 'Who are you?' }: { value: IdentitySummary | null; onChange(id: IdentitySummary | null): void; label?: string }) {
  const [all, setAll] = useState<IdentitySummary[]>([]);
  const [text, setText] = useState(value?.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const listId = useId();
  useEffect(() => {
    api.identities.list({}).then(setAll, (e: unknown) => setError(`The list of people could not be loaded: ${errorText(e)}`));
  }, []);
  const choose = (name: string) => {
    setText(name);
    const exact = all.filter((i) => i.name.toLowerCase() === name.trim().toLowerCase());
    onChange(exact.length === 1 ? exact[0]! : null);
  };
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} list={listId} value={text} onChange={(e) => choose(e.target.value)} placeholder="Type your name" autoComplete="off" />
      <datalist id={listId}>
        {all.map((i) => (
          <option key={i.id} value={i.name} />
        ))}
      </datalist>
      {error && <span className="field-error">{error}</span>}
      {!error && all.length === 0 && <span className="hint">No one is enrolled yet: enroll first.</span>}
      {text.trim() !== '' && !value && all.length > 0 && <span className="hint">No enrolled person is called “{text.trim()}”.</span>}
    </div>
  );
}
