// The shell: navigation, the app-wide state (session, settings, app info) and hash routing over the
// screen registry. What it shows follows the back end's session.status: the first operator's set-up on
// a first start, the locked check-in kiosk (no navigation at all), the public screens when no operator
// is signed in, everything for an operator. The back end refuses what a screen may not do regardless.
import { Suspense, useEffect, useState } from 'react';
import { api } from './api/client';
import { AppStateProvider, useAppState } from './components/AppState';
import { ErrorBoundary } from './components/ErrorBoundary';
import { errorText } from './components/errorText';
import { Notice } from './components/Notice';
import { FirstOperator } from './screens/Operators/FirstOperator';
import { LockedKiosk } from './screens/Kiosk/LockedKiosk';
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
      {backup ? ` A backup from ${new Date(backup.createdAt).toLocaleString()} can be restored under Identities by an operator.` : ''}
    </Notice>
  );
}

function OperatorBar() {
  const { session, sessionChanged } = useAppState();
  const [error, setError] = useState('');
  if (!session?.operator) return null;
  return (
    <div className="operator-bar" data-testid="operator-signed-in">
      <span>Operator: {session.operator.name}</span>
      <button
        type="button"
        className="secondary"
        onClick={() => api.operators.signOut().then(sessionChanged, (e: unknown) => setError(errorText(e)))}
      >
        Sign out
      </button>
      {error && <span className="hint">{error}</span>}
    </div>
  );
}

function Shell() {
  const path = useRoute();
  const { loadError, session } = useAppState();
  const operator = session?.operator ?? null;
  const visible = screens.filter((s) => operator || s.public);
  const screen = visible.find((s) => s.path === path);
  useEffect(() => {
    document.title = screen ? `${screen.title} · NormFace Desktop` : 'NormFace Desktop';
  }, [screen]);
  if (session?.needsSetup) return <FirstOperator />;
  if (session?.kiosk) return <LockedKiosk />;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="nav" aria-label="Main">
        <span className="brand">NormFace</span>
        <ul>
          {visible.map((s) => (
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
        <OperatorBar />
        {session === null ? null : screen ? (
          <ErrorBoundary key={screen.path}>
            <Suspense fallback={<p className="muted">Loading {screen.title}…</p>}>
              <screen.component />
            </Suspense>
          </ErrorBoundary>
        ) : screens.some((s) => s.path === path) ? (
          <Notice kind="warning">
            “{screens.find((s) => s.path === path)?.title}” is for operators. <a href={`#/${defaultScreen}`}>Sign in as an operator on the Log in screen.</a>
          </Notice>
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
