// App-wide state every screen may read: who is signed in here (session.status: operator, kiosk lock,
// first start), the settings (camera, backend, security level...) and the back end's app.info. Without
// an operator the screens get only the camera settings session.status gives; management needs a sign-in.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, defaultSettings, type AppInfo, type SessionStatus, type Settings } from '../api/client';
import { errorText } from './errorText';

export interface AppState {
  settings: Settings;
  /** null until app.info answered. */
  info: AppInfo | null;
  /** null until session.status answered. */
  session: SessionStatus | null;
  /** Why settings or app info could not be loaded, as a sentence. */
  loadError: string | null;
  /** settings.set, then every screen sees the new settings; rejects with the back end's error. */
  updateSettings(change: Partial<Settings>): Promise<Settings>;
  /** Re-reads the session, settings and app info (after a sign-in, a restore or delete-all, for instance). */
  reload(): Promise<void>;
  /** Takes a session.status answer (sign-in, sign-out, kiosk) and reloads what it allows. */
  sessionChanged(next: SessionStatus): Promise<void>;
}

const AppStateContext = createContext<AppState | null>(null);
/** How often a screen asks who is signed in (session.status is cheap and public). */
const SESSION_POLL_MS = 5000;

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<Settings>(defaultSettings);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [session, setSession] = useState<SessionStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const apply = useCallback(async (s: SessionStatus) => {
    setSession(s);
    // An operator reads the whole settings; anyone else gets the camera screens' part of them.
    setSettings(s.operator ? await api.settings.get() : { ...defaultSettings, ...s.screen });
  }, []);

  const reload = useCallback(async () => {
    try {
      const [s, i] = await Promise.all([api.session.status(), api.app.info()]);
      await apply(s);
      setInfo(i);
      setLoadError(null);
    } catch (e) {
      setLoadError(`The app could not reach its back end: ${errorText(e)}`);
    }
  }, [apply]);

  const sessionChanged = useCallback(
    async (next: SessionStatus) => {
      try {
        await apply(next);
      } catch (e) {
        setLoadError(`The app could not reach its back end: ${errorText(e)}`);
      }
    },
    [apply],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  // The session can change without this screen doing anything: it idles out, another window starts the
  // kiosk. A look every few seconds keeps what is shown in step with what the back end allows.
  useEffect(() => {
    const timer = setInterval(() => {
      api.session.status().then(
        (s) =>
          setSession((was) => {
            if (was && (was.kiosk !== s.kiosk || was.needsSetup !== s.needsSetup || (was.operator?.id ?? null) !== (s.operator?.id ?? null))) void apply(s);
            return was;
          }),
        () => undefined,
      );
    }, SESSION_POLL_MS);
    return () => clearInterval(timer);
  }, [apply]);

  const updateSettings = useCallback(async (change: Partial<Settings>) => {
    const next = await api.settings.set(change);
    setSettings(next);
    return next;
  }, []);

  const value = useMemo(() => ({ settings, info, session, loadError, updateSettings, reload, sessionChanged }), [settings, info, session, loadError, updateSettings, reload, sessionChanged]);
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('useAppState is used outside AppStateProvider');
  return state;
}
