// The shell: navigation, the app-wide state (settings, app info) and hash routing over the screen
// registry. Hash routes work the same under the browser host and Electron's app:// protocol.
import { Suspense, useEffect, useState } from 'react';
import { AppStateProvider, useAppState } from './components/AppState';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Notice } from './components/Notice';
import { defaultScreen, screens } from './screens';

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split(/[?/]/)[0] || defaultScreen;
}

function useRoute(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return path;
}

function StoreWarning() {
  const { info } = useAppState();
  if (info?.store.state !== 'unavailable') return null;
  const backup = info.store.latestBackup;
  return (
    <Notice kind="error">
      The database could not be opened: {info.store.message}
      {backup ? ` A backup from ${new Date(backup.createdAt).toLocaleString()} can be restored under Identities.` : ''}
    </Notice>
  );
}

function Shell() {
  const path = useRoute();
  const { loadError } = useAppState();
  const screen = screens.find((s) => s.path === path);
  useEffect(() => {
    document.title = screen ? `${screen.title} · NormFace Desktop` : 'NormFace Desktop';
  }, [screen]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="nav" aria-label="Main">
        <span className="brand">NormFace</span>
        <ul>
          {screens.map((s) => (
            <li key={s.path}>
              <a href={`#/${s.path}`} aria-current={s.path === path ? 'page' : undefined}>
                {s.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        {loadError && <Notice kind="error">{loadError}</Notice>}
        <StoreWarning />
        {screen ? (
          <ErrorBoundary key={screen.path}>
            <Suspense fallback={<p className="muted">Loading {screen.title}…</p>}>
              <screen.component />
            </Suspense>
          </ErrorBoundary>
        ) : (
          <Notice kind="error">
            There is no page called “{path}”. <a href={`#/${defaultScreen}`}>Go to the start page.</a>
          </Notice>
        )}
      </main>
    </div>
  );
}

export function App() {
  return (
    <AppStateProvider>
      <Shell />
    </AppStateProvider>
  );
}
