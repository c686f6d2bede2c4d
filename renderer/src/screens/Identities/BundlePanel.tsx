// Moving people to another machine: export chosen people (or everyone) to one file sealed with a
// passphrase, and import such a file. The back end opens the file, says who is already enrolled here
// (same person by id or by face), and the person picks merge or skip for each of them.
import { useState } from 'react';
import { base64ToBytes, bytesToBase64 } from '../../../../core/vision/base64';
import { api, type BundlePerson, type IdentitySummary } from '../../api/client';
import { download } from '../../components/download';
import { useAction } from '../../components/useAction';

const MIN_PASSPHRASE = 8;

function ExportPeople({ people }: { people: IdentitySummary[] }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, status, run } = useAction();
  const mismatch = again.length > 0 && again !== passphrase;
  const ready = passphrase.length >= MIN_PASSPHRASE && again === passphrase && people.length > 0;

  const toggle = (id: string) => setChosen((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const exportNow = () => run(async () => {
    const out = await api.bundle.export({ passphrase, ...(chosen.size > 0 ? { identityIds: [...chosen] } : {}) });
    download(out.fileName, new Uint8Array(base64ToBytes(out.bundle)), 'application/octet-stream');
    setPassphrase('');
    setAgain('');
    return `Exported ${out.identities} ${out.identities === 1 ? 'person' : 'people'} to ${out.fileName}. Keep the passphrase apart from the file.`;
  }, 'Nothing was exported');

  return (
    <fieldset className="bundle-export">
      <legend>Export people</legend>
      <p className="muted">Tick people to export only them; with none ticked, everyone is exported.</p>
      <ul className="bundle-choices">
        {people.map((p) => (
          <li key={p.id}>
            <label>
              <input type="checkbox" checked={chosen.has(p.id)} onChange={() => toggle(p.id)} /> {p.name}
            </label>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor="bundle-passphrase">Passphrase (at least {MIN_PASSPHRASE} characters)</label>
        <input id="bundle-passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="bundle-passphrase-again">The passphrase again</label>
        <input id="bundle-passphrase-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} aria-invalid={mismatch} />
        {mismatch && <p className="field-error">The two passphrases differ.</p>}
      </div>
      <button type="button" disabled={busy || !ready} onClick={() => void exportNow()}>
        {chosen.size > 0 ? `Export ${chosen.size} chosen` : 'Export everyone'}
      </button>
      <p role="status" aria-live="polite" className="muted">{status}</p>
      {error && <p role="alert" className="field-error">{error}</p>}
    </fieldset>
  );
}

function ImportPeople({ onImported }: { onImported: () => void }) {
  const [bundle, setBundle] = useState<{ name: string; base64: string } | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [people, setPeople] = useState<BundlePerson[] | null>(null);
  const [choices, setChoices] = useState<Record<string, 'merge' | 'skip'>>({});
  // A new input after each import, so choosing the same file again is a change the page sees.
  const [fileInput, setFileInput] = useState(0);
  const { busy, error, status, setError, run } = useAction();

  const pick = async (file: File | undefined) => {
    setPeople(null);
    setBundle(null);
    if (!file) return;
    try {
      setBundle({ name: file.name, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) });
    } catch (e) {
      setError(`${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const open = () => run(async () => {
    const seen = await api.bundle.inspect({ bundle: bundle!.base64, passphrase });
    setPeople(seen.people);
    setChoices(Object.fromEntries(seen.people.filter((p) => p.match).map((p) => [p.id, 'skip' as const])));
    const here = seen.people.filter((p) => p.match).length;
    return `${bundle!.name} holds ${seen.people.length} ${seen.people.length === 1 ? 'person' : 'people'}${here ? `; ${here} already enrolled here: merge or skip each` : ''}.`;
  }, `${bundle?.name ?? 'The file'} could not be opened`);
  const importNow = () => run(async () => {
    const done = await api.bundle.import({ bundle: bundle!.base64, passphrase, choices });
    setPeople(null);
    setBundle(null);
    setPassphrase('');
    setFileInput((n) => n + 1);
    onImported();
    return `Imported: ${done.added} added, ${done.merged} merged, ${done.skipped} skipped (${done.templates} templates).`;
  }, 'Nothing was imported');

  return (
    <fieldset className="bundle-import">
      <legend>Import people</legend>
      <div className="field">
        <label htmlFor="bundle-file">Bundle file (.nfbundle)</label>
        <input key={fileInput} id="bundle-file" type="file" accept=".nfbundle,application/octet-stream" onChange={(e) => void pick(e.target.files?.[0])} />
      </div>
      <div className="field">
        <label htmlFor="bundle-import-passphrase">Its passphrase</label>
        <input id="bundle-import-passphrase" type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </div>
      <button type="button" disabled={busy || !bundle || passphrase.length === 0} onClick={() => void open()}>Open</button>
      {people && (
        <>
          <ul className="bundle-people">
            {people.map((p) => (
              <li key={p.id}>
                {p.name} — {p.templateCount} templates
                {p.match ? (
                  <label>
                    {' '}— already here as {p.match.name} ({p.match.by === 'id' ? 'same record' : `face match ${p.match.score?.toFixed(2)}`}):{' '}
                    <select value={choices[p.id] ?? 'skip'} onChange={(e) => setChoices({ ...choices, [p.id]: e.target.value as 'merge' | 'skip' })} aria-label={`What to do with ${p.name}`}>
                      <option value="skip">skip</option>
                      <option value="merge">merge templates into {p.match.name}</option>
                    </select>
                  </label>
                ) : ' — new here'}
              </li>
            ))}
          </ul>
          <button type="button" disabled={busy} onClick={() => void importNow()}>Import</button>
        </>
      )}
      <p role="status" aria-live="polite" className="muted">{status}</p>
      {error && <p role="alert" className="field-error">{error}</p>}
    </fieldset>
  );
}

export function BundlePanel({ people, onImported }: { people: IdentitySummary[]; onImported: () => void }) {
  return (
    <section className="panel bundle" aria-labelledby="bundle-title">
      <h2 id="bundle-title">Move people to another machine</h2>
      <p className="muted">
        A bundle holds names, notes, templates and thumbnails, sealed with your passphrase (scrypt, AES-256-GCM). Whoever has the
        file and the passphrase can enrol these people elsewhere: send them apart.
      </p>
      <ExportPeople people={people} />
      <ImportPeople onImported={onImported} />
    </section>
  );
}
