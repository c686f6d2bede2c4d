// App-wide state every screen may read: the settings (camera, backend, security level...) and the
// back end's app.info. Screens change settings through updateSettings so every view sees the change.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, defaultSettings, type AppInfo, type Settings } from '../api/client';
import { errorText } from './errorText';

export interface AppState {
  settings: Settings;
  /** null until app.info answered. */
  info: AppInfo | null;
  /** Why settings or app info could not be loaded, as a sentence. */
  loadError: string | null;
  /** settings.set, then every screen sees the new settings; rejects with the back end's error. */
  updateSettings(change: Partial<Settings>): Promise<Settings>;
  /** Re-reads settings and app info (after a restore or delete-all, for instance). */
  reload(): Promise<void>;
}

const AppStateContext = createContext<AppState | null>(null);

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState<Settings>(defaultSettings);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const [s, i] = await Promise.all([api.settings.get(), api.app.info()]);
      setSettings(s);
      setInfo(i);
      setLoadError(null);
    } catch (e) {
      setLoadError(`The app could not reach its back end: ${errorText(e)}`);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const updateSettings = useCallback(async (change: Partial<Settings>) => {
    const next = await api.settings.set(change);
    setSettings(next);
    return next;
  }, []);

  const value = useMemo(() => ({ settings, info, loadError, updateSettings, reload }), [settings, info, loadError, updateSettings, reload]);
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('useAppState is used outside AppStateProvider');
  return state;
}
