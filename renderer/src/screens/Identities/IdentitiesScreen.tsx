// Everyone enrolled: thumbnail, template count, last seen; open one to rename, add samples or
// delete; identify a photo; move people to another machine (a passphrase-sealed bundle); back up and restore.
import { useCallback, useEffect, useState } from 'react';
import { api, type IdentitySummary } from '../../api/client';
import { useAppState } from '../../components/AppState';
import { errorText } from '../../components/errorText';
import { Notice } from '../../components/Notice';
import { thumbnailUrl } from '../Enroll/sample';
import { BackupPanel } from './BackupPanel';
import { BundlePanel } from './BundlePanel';
import { IdentifyPhoto } from './IdentifyPhoto';
import { IdentityDetail } from './IdentityDetail';
import { lastSeenById } from './lastSeen';

export function IdentitiesScreen() {
  const { reload } = useAppState();
  const [query, setQuery] = useState('');
  const [list, setList] = useState<IdentitySummary[] | null>(null);
  const [seen, setSeen] = useState<Map<string, number>>(new Map());
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [deletedNote, setDeletedNote] = useState('');

  const load = useCallback(async () => {
    setError('');
    try {
      const [identities, lastSeen] = await Promise.all([api.identities.list(query.trim() ? { query: query.trim() } : {}), lastSeenById()]);
      setList(identities);
      setSeen(lastSeen);
    } catch (e) {
      setError(`The identities could not be listed: ${errorText(e)}`);
    }
  }, [query]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="screen identities" aria-labelledby="identities-title">
      <h1 id="identities-title">Identities</h1>
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <div className="field">
          <label htmlFor="identities-search">Search by name</label>
          <input id="identities-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <a href="#/enroll" className="button" style={{ marginBottom: 'var(--gap)' }}>
          Enroll a person
        </a>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {deletedNote && <Notice kind="success">{deletedNote}</Notice>}
      {list && list.length === 0 && <p>{query ? `Nobody enrolled matches “${query}”.` : 'Nobody is enrolled yet.'}</p>}
      {list && list.length > 0 && (
        <table className="identity-table">
          <caption>{list.length} enrolled</caption>
          <thead>
            <tr>
              <th scope="col">
                Picture
              </th>
              <th scope="col">Name</th>
              <th scope="col">Templates</th>
              <th scope="col">Last seen</th>
              <th scope="col">
                Actions
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => {
              const at = seen.get(i.id);
              return (
                <tr key={i.id} aria-selected={selected === i.id} data-testid="identity-row">
                  <td>{i.thumbnail ? <img src={thumbnailUrl(i.thumbnail)} alt="" width={48} height={48} /> : '—'}</td>
                  <td>
                    {i.name}
                    {i.lockedUntil ? <span className="field-error"> (locked)</span> : null}
                  </td>
                  <td>{i.templateCount}</td>
                  <td>{at ? new Date(at).toLocaleString() : 'never'}</td>
                  <td>
                    <button type="button" onClick={() => { setDeletedNote(''); setSelected(i.id); }} aria-label={`Open ${i.name}`}>
                      Open
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {selected && (
        <IdentityDetail
          key={selected}
          id={selected}
          onChanged={() => void load()}
          onClose={() => {
            setSelected(null);
            void load();
          }}
        />
      )}
      <IdentifyPhoto />
      <BundlePanel
        people={list ?? []}
        onImported={() => {
          void load();
          void reload();
        }}
      />
      <BackupPanel
        onRestored={() => {
          setSelected(null);
          void load();
          void reload();
        }}
      />
    </section>
  );
}

export default IdentitiesScreen;
